// The devnet: a chain simulator for development and tests. wallet-toolbox's MockServices
// keeps the UTXO set, blocks and merkle proofs in SQLite; on top of it we validate like a
// miner would (scripts per input, double spends, coinbase maturity, fee policy), and answer
// in ARC's terms: 4xx for what ARC's API refuses, txStatus for what the node decides.
import knexFactory, { type Knex } from 'knex'
import { Beef, Hash, LockingScript, Transaction, UnlockingScript, Utils, type MerklePath } from '@bsv/sdk'
import { MockChainStorage } from '@bsv/wallet-toolbox/out/src/mockchain/MockChainStorage.js'
import { MockServices } from '@bsv/wallet-toolbox/out/src/mockchain/MockServices.js'
import { computeMerklePath } from '@bsv/wallet-toolbox/out/src/mockchain/merkleTree.js'
import { toBinaryBaseBlockHeader } from '@bsv/wallet-toolbox/out/src/services/Services.js'
import { parseSubmission, ParseError, type Submission } from './parse.ts'
import { ScriptChecker } from './script-check.ts'

export interface DevnetOptions {
  /** SQLite file; ':memory:' keeps the chain in memory (tests). */
  file: string
  /** Mining fee policy, satoshis per `feeBytes` bytes. */
  feeSatoshis?: number
  feeBytes?: number
  /**
   * Unix seconds: a fresh chain's first blocks are dated from here, ten minutes apart,
   * instead of all now, so blocks dated in the past can follow (a wallet's history from
   * last month). Blocks mined later without a time are dated now, as before.
   */
  firstBlockTime?: number
}

export interface Header {
  height: number
  hash: string
  previousHash: string
  merkleRoot: string
  time: number
  bits: number
  nonce: number
  version: number
}

/** ARC's txStatus values (arc.yaml TransactionDetails.txStatus). */
export type TxStatus =
  | 'UNKNOWN' | 'QUEUED' | 'RECEIVED' | 'STORED' | 'ANNOUNCED_TO_NETWORK' | 'REQUESTED_BY_NETWORK'
  | 'SENT_TO_NETWORK' | 'ACCEPTED_BY_NETWORK' | 'SEEN_IN_ORPHAN_MEMPOOL' | 'SEEN_ON_NETWORK'
  | 'DOUBLE_SPEND_ATTEMPTED' | 'REJECTED' | 'MINED_IN_STALE_BLOCK' | 'MINED'

/** ARC's order of the progressing statuses, for X-WaitFor. */
export const STATUS_ORDER: TxStatus[] = ['UNKNOWN', 'QUEUED', 'RECEIVED', 'STORED', 'ANNOUNCED_TO_NETWORK', 'REQUESTED_BY_NETWORK', 'SENT_TO_NETWORK', 'ACCEPTED_BY_NETWORK', 'SEEN_ON_NETWORK']

export interface TxInfo {
  txid: string
  txStatus: TxStatus
  extraInfo: string
  competingTxs: string[] | null
  blockHeight?: number
  blockHash?: string
  merklePath?: MerklePath
  /** ms epoch when a just-accepted tx reaches SEEN_ON_NETWORK (ARC's propagation). */
  seenAt?: number
}

export interface Utxo {
  txid: string
  vout: number
  satoshis: number
  /** undefined while unconfirmed */
  height?: number
  /** Spent by a transaction that is not mined yet (WhatsOnChain's isSpentInMempoolTx). */
  spentInMempool: boolean
  lockingScript: string
}

export interface ScriptHistoryItem { txid: string, height?: number }

/**
 * A refusal in ARC's terms: the HTTP status (460-475, 400, 409) and ARC's own message for
 * `extraInfo`. ARC's `detail` is generic per status; the reason lives in `extraInfo`.
 */
export class ChainRejection extends Error {
  constructor (readonly status: number, readonly reason: string, readonly txid?: string) {
    super(reason)
  }
}

/** What ARC's validator would say, prefixed like ARC's validator.Error ("arc error 465: ..."). */
function arcError (status: number, reason: string, txid?: string): ChainRejection {
  return new ChainRejection(status, `arc error ${status}: ${reason}`, txid)
}

const OP_TRUE = [0x51]
// ARC's internal/validator limits.
const MAX_TX_SIZE_POLICY = 10_000_000
const MIN_TX_SIZE = 61
const DUST_LIMIT = 1
const MAX_SATOSHIS = 21_000_000_00_000_000
const COINBASE_TXID = '00'.repeat(32)
const COINBASE_MATURITY = 100
const MAX_REORG_DEPTH = 10
/** Consensus: a block's time must be later than the median of the previous 11 (median time past)… */
const MEDIAN_TIME_BLOCKS = 11
/** …and no more than two hours ahead of the node's clock. */
const MAX_FUTURE_BLOCK_SEC = 2 * 60 * 60
/** Several blocks mined with one given time are dated this far apart (the network's target). */
const BLOCK_SPACING_SEC = 600
const MAX_ORPHANS = 1000
const MAX_REFUSED = 10_000

function sha256Hex (bytes: number[]): string {
  return Utils.toHex(Hash.sha256(bytes))
}

/** WhatsOnChain's script hash: sha256 of the script, byte-reversed. */
export function wocScriptHash (lockingScriptHex: string): string {
  return Utils.toHex(Hash.sha256(Utils.toArray(lockingScriptHex, 'hex')).reverse())
}

/**
 * ARC's fee rule (go-sdk SatoshisPerKilobyte.ComputeFee, which ARC uses to validate):
 * ceil(size / 1000 * satoshisPerKB) — rounded up, never down.
 */
export function arcRequiredFee (sizeBytes: number, feeSatoshis: number, feeBytes: number): number {
  return Math.ceil(sizeBytes / 1000 * (feeSatoshis * 1000 / feeBytes))
}

/** Serialises every chain mutation: MockServices checks then writes, so two concurrent spends would both pass. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve()
  run<T> (fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn)
    this.tail = next.catch(() => undefined)
    return next
  }
}

/** What the devnet knows about a txid beyond MockServices' chain: ARC's side of the story. */
interface StatusRow {
  txid: string
  /** accepted: in the chain (mempool or mined); orphan / doublespend / rejected: not in the chain. */
  state: 'accepted' | 'orphan' | 'doublespend' | 'rejected'
  extraInfo: string
  competingTxs: string
  rawTx: Buffer | null
  announceAt: number
  seenAt: number
  stale: number
}

const STATUS_TABLE = 'devnet_arc_status'

export interface ArcTiming {
  /** ms after acceptance during which the tx reads STORED. */
  announceDelayMs: number
  /** ms after acceptance until the tx reads SEEN_ON_NETWORK (ANNOUNCED_TO_NETWORK before). */
  seenDelayMs: number
}

export class Devnet {
  readonly feeSatoshis: number
  readonly feeBytes: number
  readonly timing: ArcTiming = { announceDelayMs: 0, seenDelayMs: 0 }
  private readonly lock = new Mutex()
  private readonly scripts = new ScriptChecker()
  private timer: NodeJS.Timeout | undefined

  private constructor (private readonly knex: Knex, readonly services: MockServices, opts: DevnetOptions) {
    this.feeSatoshis = opts.feeSatoshis ?? 50
    this.feeBytes = opts.feeBytes ?? 1000
  }

  static async open (opts: DevnetOptions): Promise<Devnet> {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: opts.file },
      useNullAsDefault: true,
      // A single connection: ':memory:' databases are per-connection.
      pool: { min: 1, max: 1 }
    })
    const services = new MockServices(knex)
    await services.initialize()
    if (!await knex.schema.hasTable(STATUS_TABLE)) {
      await knex.schema.createTable(STATUS_TABLE, t => {
        t.string('txid', 64).primary()
        t.string('state', 16).notNullable()
        t.text('extraInfo').notNullable().defaultTo('')
        t.text('competingTxs').notNullable().defaultTo('[]')
        t.binary('rawTx').nullable()
        t.bigInteger('announceAt').notNullable().defaultTo(0)
        t.bigInteger('seenAt').notNullable().defaultTo(0)
        t.integer('stale').notNullable().defaultTo(0)
      })
    }
    const devnet = new Devnet(knex, services, opts)
    // Mature enough coinbase for the faucet from the first start.
    const height = await devnet.height()
    if (height < COINBASE_MATURITY + 10) {
      // A fresh chain (its genesis block only) may start in the past: nothing links to the
      // genesis block yet, so it can be redated.
      const from = height === 0 ? opts.firstBlockTime : undefined
      if (from !== undefined) await devnet.lock.run(async () => { await devnet.redate(await devnet.tip(), from) })
      await devnet.mine(COINBASE_MATURITY + 10 - height, from !== undefined ? { time: from + BLOCK_SPACING_SEC } : {})
    }
    await devnet.refillPool()
    return devnet
  }

  async close (): Promise<void> {
    this.stopMining()
    await this.scripts.close()
    await this.knex.destroy()
  }

  startMining (intervalMs: number): void {
    this.stopMining()
    if (intervalMs > 0) this.timer = setInterval(() => { void this.mine(1).catch(() => undefined) }, intervalMs)
  }

  stopMining (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  async height (): Promise<number> {
    return await this.services.getHeight()
  }

  /**
   * Mines `count` blocks. With `time` (Unix seconds) the first is dated then and the others
   * ten minutes apart; the times must be ones a real chain accepts (later than the median
   * of the previous 11 blocks, at most two hours ahead), else RangeError and nothing is mined.
   */
  async mine (count = 1, opts: { time?: number } = {}): Promise<Header[]> {
    const { time } = opts
    if (time !== undefined && (!Number.isSafeInteger(time) || time < 0 || time > 0xffffffff)) throw new RangeError('time must be whole Unix seconds')
    return await this.lock.run(async () => {
      if (time !== undefined) await this.checkBlockTimes(time, time + (count - 1) * BLOCK_SPACING_SEC)
      const out: Header[] = []
      for (let i = 0; i < count; i++) {
        const mined = toHeader(await this.services.mineBlock())
        out.push(time === undefined ? mined : await this.redate(mined, time + i * BLOCK_SPACING_SEC))
      }
      await this.settleDoubleSpends()
      return out
    })
  }

  /** The median of the times of the block at `height` and the 10 before it (BIP113's median time past). */
  async medianTimePast (height?: number): Promise<number | undefined> {
    let q = this.knex('mockchain_block_headers').orderBy('height', 'desc').limit(MEDIAN_TIME_BLOCKS).select('time')
    if (height !== undefined) q = q.where('height', '<=', height)
    const recent = await q as Array<{ time: number }>
    const times = recent.map(r => Number(r.time)).sort((a, b) => a - b)
    return times.length === 0 ? undefined : times[Math.floor(times.length / 2)]
  }

  private async checkBlockTimes (first: number, last: number): Promise<void> {
    const medianTimePast = await this.medianTimePast() ?? -1
    if (first <= medianTimePast) throw new RangeError(`time ${first} is not after the median time of the last ${MEDIAN_TIME_BLOCKS} blocks (${medianTimePast})`)
    const latest = Math.floor(Date.now() / 1000) + MAX_FUTURE_BLOCK_SEC
    if (last > latest) throw new RangeError(`time ${last} is more than two hours ahead`)
  }

  /**
   * wallet-toolbox's miner dates a block now; a block dated otherwise gets its time and,
   * since the time is part of the header, its hash rewritten. Done before the next block
   * links to it, inside the mining lock, so nothing ever saw the first hash.
   */
  private async redate (h: Header, time: number): Promise<Header> {
    const hash = Utils.toHex(Hash.hash256(toBinaryBaseBlockHeader({ ...h, time })).reverse())
    await this.knex('mockchain_block_headers').where({ height: h.height }).update({ time, hash })
    return { ...h, time, hash }
  }

  /**
   * Replaces the top `depth` blocks with `depth + 1` empty ones (a longer chain wins). The
   * transactions of the replaced blocks go back to the mempool and answer
   * MINED_IN_STALE_BLOCK until a later block mines them again.
   */
  async reorg (depth: number): Promise<{ oldTip: Header, newTip: Header, staleTxids: string[] }> {
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_REORG_DEPTH) throw new RangeError(`depth must be 1..${MAX_REORG_DEPTH}`)
    return await this.lock.run(async () => {
      const tip = await this.tip()
      const from = tip.height - depth + 1
      const staleTxids: string[] = []
      for (let h = from; h <= tip.height; h++) {
        const header = await this.services.storage.knex('mockchain_block_headers').where({ height: h }).first() as { coinbaseTxid: string } | undefined
        for (const t of await this.services.storage.getTransactionsInBlock(h)) {
          if (t.txid !== header?.coinbaseTxid) staleTxids.push(t.txid)
        }
      }
      const r = await this.services.reorg(from, depth + 1)
      for (const txid of staleTxids) await this.upsertStatus(txid, { state: 'accepted', stale: 1 })
      return { oldTip: toHeader(r.oldTip), newTip: toHeader(r.newTip), staleTxids }
    })
  }

  async header (heightOrHash: number | string): Promise<Header | undefined> {
    const h = typeof heightOrHash === 'number'
      ? await this.services.storage.getBlockHeaderByHeight(heightOrHash)
      : await this.services.storage.getBlockHeaderByHash(heightOrHash)
    return h == null ? undefined : toHeader(h)
  }

  async tip (): Promise<Header> {
    const h = await this.services.storage.getChainTip()
    if (h == null) throw new Error('devnet has no blocks')
    return toHeader(h)
  }

  /** Raw bytes of a transaction in the chain (mempool or mined). */
  async rawTx (txid: string): Promise<number[] | undefined> {
    return (await this.services.getRawTx(txid)).rawTx
  }

  /** Mined height of a chain transaction: null while in the mempool, undefined when unknown. */
  async minedHeight (txid: string): Promise<number | null | undefined> {
    const row = await this.services.storage.getTransaction(txid)
    return row == null ? undefined : row.blockHeight
  }

  private async statusRow (txid: string): Promise<StatusRow | undefined> {
    return await this.knex(STATUS_TABLE).where({ txid }).first() as StatusRow | undefined
  }

  private async upsertStatus (txid: string, patch: Partial<Omit<StatusRow, 'txid'>>): Promise<void> {
    const existing = await this.statusRow(txid)
    if (existing == null) await this.knex(STATUS_TABLE).insert({ txid, state: 'accepted', extraInfo: '', competingTxs: '[]', announceAt: 0, seenAt: 0, stale: 0, ...patch })
    else await this.knex(STATUS_TABLE).where({ txid }).update(patch)
  }

  /** ARC's view of a transaction (GET /v1/tx/{txid}), or undefined when ARC never saw it. */
  async txInfo (txid: string, now = Date.now()): Promise<TxInfo | undefined> {
    const row = await this.services.storage.getTransaction(txid)
    const meta = await this.statusRow(txid)
    const competing = meta != null ? JSON.parse(meta.competingTxs) as string[] : []
    const competingTxs = competing.length > 0 ? competing : null
    if (row != null) {
      if (row.blockHeight != null) {
        const txs = await this.services.storage.getTransactionsInBlock(row.blockHeight)
        const ids = txs.map(t => t.txid)
        const header = await this.header(row.blockHeight)
        return { txid, txStatus: 'MINED', extraInfo: '', competingTxs, blockHeight: row.blockHeight, blockHash: header?.hash, merklePath: computeMerklePath(ids, ids.indexOf(txid), row.blockHeight) }
      }
      if (meta?.stale === 1) return { txid, txStatus: 'MINED_IN_STALE_BLOCK', extraInfo: '', competingTxs }
      if (competingTxs != null) return { txid, txStatus: 'DOUBLE_SPEND_ATTEMPTED', extraInfo: '', competingTxs }
      const seenAt = Number(meta?.seenAt ?? 0)
      if (seenAt > now) return { txid, txStatus: Number(meta?.announceAt ?? 0) > now ? 'STORED' : 'ANNOUNCED_TO_NETWORK', extraInfo: '', competingTxs, seenAt }
      return { txid, txStatus: 'SEEN_ON_NETWORK', extraInfo: '', competingTxs }
    }
    if (meta == null || meta.state === 'accepted') return undefined
    const txStatus: TxStatus = meta.state === 'orphan' ? 'SEEN_IN_ORPHAN_MEMPOOL' : meta.state === 'doublespend' ? 'DOUBLE_SPEND_ATTEMPTED' : 'REJECTED'
    return { txid, txStatus, extraInfo: meta.extraInfo, competingTxs }
  }

  /** Outputs locked by exactly this script that no mined transaction has spent. */
  async utxosForScript (lockingScriptHex: string): Promise<Utxo[]> {
    return await this.utxosForScriptHash(sha256Hex(Utils.toArray(lockingScriptHex, 'hex')))
  }

  /** Same, by MockServices' script hash (sha256 of the script, not reversed). */
  async utxosForScriptHash (scriptHash: string): Promise<Utxo[]> {
    const rows = await this.services.storage.getUtxosByScriptHash(scriptHash)
    const out: Utxo[] = []
    for (const r of rows) {
      let spentInMempool = false
      if (r.spentByTxid != null && r.spentByTxid !== '') {
        // Spent by a mined transaction: gone. Spent by one in the mempool: still listed, flagged.
        if (await this.minedHeight(r.spentByTxid) != null) continue
        spentInMempool = true
      }
      out.push({ txid: r.txid, vout: r.vout, satoshis: Number(r.satoshis), height: r.blockHeight ?? undefined, spentInMempool, lockingScript: Utils.toHex(Array.from(r.lockingScript)) })
    }
    // WhatsOnChain orders by height, then position; unconfirmed last.
    return out.sort((a, b) => (a.height ?? Infinity) - (b.height ?? Infinity) || a.txid.localeCompare(b.txid) || a.vout - b.vout)
  }

  /** Transactions that pay to or spend from a script (WhatsOnChain's script history). */
  async historyForScriptHash (scriptHash: string): Promise<ScriptHistoryItem[]> {
    const rows = await this.services.storage.getUtxosByScriptHash(scriptHash)
    const seen = new Map<string, number | undefined>()
    for (const r of rows) {
      seen.set(r.txid, r.blockHeight ?? undefined)
      if (r.spentByTxid != null && r.spentByTxid !== '' && !seen.has(r.spentByTxid)) seen.set(r.spentByTxid, await this.minedHeight(r.spentByTxid) ?? undefined)
    }
    return [...seen].map(([txid, height]) => ({ txid, height })).sort((a, b) => (a.height ?? Infinity) - (b.height ?? Infinity) || a.txid.localeCompare(b.txid))
  }

  /**
   * Takes raw, EF (BRC-30) or BEEF (V1/V2/Atomic) bytes like ARC's POST /v1/tx and returns
   * ARC's view of the subject. Throws ChainRejection for ARC's 4xx answers; the node's
   * verdicts (orphan, double spend, rejection) are statuses, as ARC reports them.
   */
  async submit (bytes: Uint8Array | number[]): Promise<TxInfo> {
    let sub: Submission
    try {
      sub = parseSubmission(bytes)
    } catch (e) {
      if (e instanceof ParseError) throw new ChainRejection(e.status, e.message)
      throw e
    }
    return await this.lock.run(async () => {
      const { beef, txids } = sub
      const subject = txids[txids.length - 1]!
      if (beef.bumps.length > 0) {
        let valid = false
        try { valid = beef.isValid(true) } catch { valid = false }
        if (!valid) throw arcError(468, 'BEEF validation failed: a merkle path does not prove its transaction', subject)
        // Only a clear "no" from the chain is a verdict on the transaction; a failure to
        // ask (storage closing, say) must surface as a server error the client retries.
        const ok = await beef.verify(await this.services.getChainTracker(), true)
        if (!ok) throw arcError(469, 'BEEF validation failed: merkle roots do not match the chain', subject)
      }
      // ARC's API validates every new transaction first (format, fee, scripts), from the
      // source outputs it can find; only then does the node judge spends.
      const fresh: string[] = []
      for (const txid of txids) {
        if (await this.services.storage.getTransaction(txid) != null) continue
        const meta = await this.statusRow(txid)
        if (meta != null && meta.state === 'rejected') continue
        await this.validateForArc(sub, txid)
        fresh.push(txid)
      }
      for (const txid of fresh) await this.offerToNode(beef, txid)
      if (fresh.length > 0) await this.retryOrphans()
      const info = await this.txInfo(subject)
      if (info == null) throw new ChainRejection(409, 'transaction vanished', subject)
      return info
    })
  }

  /** ARC's API-side checks (defaultvalidator): structure, fee, scripts. Throws ARC's 46x. */
  private async validateForArc (sub: Submission, txid: string): Promise<void> {
    const raw = sub.beef.findTxid(txid)?.rawTx
    if (raw == null) throw arcError(467, `transaction ${txid} missing from the BEEF`, txid)
    const tx = Transaction.fromBinary(Array.from(raw))
    // ARC's CommonValidateTransaction, in its order.
    if (tx.inputs.length === 0 || tx.outputs.length === 0) throw arcError(462, 'transaction has no inputs or outputs', txid)
    if (raw.length > MAX_TX_SIZE_POLICY) throw arcError(474, `transaction size in bytes is greater than ${MAX_TX_SIZE_POLICY} bytes`, txid)
    for (const [i, input] of tx.inputs.entries()) {
      if (input.sourceTXID === COINBASE_TXID) throw arcError(462, `transaction input is invalid\ninput ${i} is a coinbase input`, txid)
    }
    let outTotal = 0
    for (const [i, out] of tx.outputs.entries()) {
      const sats = out.satoshis ?? 0
      const bin = out.lockingScript.toBinary()
      const isData = bin[0] === 0x6a || (bin[0] === 0x00 && bin[1] === 0x6a)
      if (!isData && (sats > MAX_SATOSHIS || sats < DUST_LIMIT)) throw arcError(464, `transaction output is invalid\noutput ${i} satoshis is invalid`, txid)
      if (isData && sats !== 0) throw arcError(464, `transaction output is invalid\noutput ${i} has non 0 value op return`, txid)
      outTotal += sats
    }
    if (outTotal > MAX_SATOSHIS) throw arcError(464, 'transaction output is invalid\noutput total satoshis is too high', txid)
    if (raw.length < MIN_TX_SIZE) throw arcError(463, `transaction size in bytes is less than ${MIN_TX_SIZE} bytes`, txid)
    if (tx.version < 2) {
      for (const [i, input] of tx.inputs.entries()) {
        if (!input.unlockingScript!.isPushOnly()) throw arcError(463, `transaction input unlocking script is not push only\ninput: ${i}`, txid)
      }
    }
    const sources: Array<{ satoshis: number, lockingScript: LockingScript }> = []
    for (const [i, input] of tx.inputs.entries()) {
      const src = await this.sourceOutput(sub, txid, i, input.sourceTXID!, input.sourceOutputIndex)
      if (src == null) {
        // A raw tx ARC cannot extend (parent unknown) is 460; a BEEF must carry its ancestors.
        if (sub.format === 'beef') throw arcError(467, `input ${i} spends ${input.sourceTXID}:${input.sourceOutputIndex}, which is neither in the BEEF nor known`, txid)
        throw arcError(460, `parent transaction ${input.sourceTXID} not found: transaction could not be extended`, txid)
      }
      sources.push(src)
    }
    const inSats = sources.reduce((s, o) => s + o.satoshis, 0)
    const outSats = tx.outputs.reduce((s, o) => s + (o.satoshis ?? 0), 0)
    const required = arcRequiredFee(raw.length, this.feeSatoshis, this.feeBytes)
    const paid = inSats >= outSats ? inSats - outSats : 0
    if (inSats < outSats || paid < required) {
      throw arcError(465, `transaction fee is too low\nminimum expected fee: ${required}, actual fee: ${paid}`, txid)
    }
    // Scripts run in a worker with a time budget (script-check.ts), so a hostile script
    // cannot freeze the server; over budget reads as a script failure.
    const verdict = await this.scripts.check({ rawTx: Utils.toHex(Array.from(raw)), sources: sources.map(o => ({ satoshis: o.satoshis, script: o.lockingScript.toHex() })) })
    if (!verdict.ok) throw arcError(461, (verdict.input >= 0 ? `input ${verdict.input}: ${verdict.reason}` : verdict.reason).slice(0, 300), txid)
  }

  /** The output an input spends: from EF, from the BEEF, or from the chain (spent or not). */
  private async sourceOutput (sub: Submission, txid: string, i: number, sourceTxid: string, vout: number): Promise<{ satoshis: number, lockingScript: LockingScript } | undefined> {
    if (sub.format === 'ef' && sub.efSources !== undefined && txid === sub.txids[sub.txids.length - 1]) return sub.efSources[i]
    const inBeef = sub.beef.findTxid(sourceTxid)?.rawTx
    if (inBeef != null) {
      const out = Transaction.fromBinary(Array.from(inBeef)).outputs[vout]
      return out == null ? undefined : { satoshis: out.satoshis ?? 0, lockingScript: out.lockingScript }
    }
    const utxo = await this.services.storage.getUtxo(sourceTxid, vout)
    if (utxo != null) return { satoshis: Number(utxo.satoshis), lockingScript: LockingScript.fromBinary(Array.from(utxo.lockingScript)) }
    // An orphan waiting in the pool is a parent ARC knows.
    const orphan = await this.statusRow(sourceTxid)
    if (orphan?.rawTx != null) {
      const out = Transaction.fromBinary(Array.from(orphan.rawTx)).outputs[vout]
      return out == null ? undefined : { satoshis: out.satoshis ?? 0, lockingScript: out.lockingScript }
    }
    return undefined
  }

  /**
   * The node's verdict. Missing parent, or a parent output already spent in a block: the
   * orphan mempool (arc#770 — ARC reports it SEEN_IN_ORPHAN_MEMPOOL). Output spent by a
   * mempool tx: DOUBLE_SPEND_ATTEMPTED on both sides. Immature coinbase: REJECTED.
   */
  private async offerToNode (beef: Beef, txid: string): Promise<void> {
    const raw = Array.from(beef.findTxid(txid)!.rawTx!)
    const tx = Transaction.fromBinary(raw)
    const height = await this.height()
    const competing = new Set<string>()
    for (const input of tx.inputs) {
      const utxo = await this.services.storage.getUtxo(input.sourceTXID!, input.sourceOutputIndex)
      if (utxo == null) return await this.park(txid, raw, 'orphan', '')
      if (utxo.spentByTxid != null && utxo.spentByTxid !== '') {
        if (await this.minedHeight(utxo.spentByTxid) != null) return await this.park(txid, raw, 'orphan', '')
        competing.add(utxo.spentByTxid)
        continue
      }
      if (utxo.isCoinbase && (utxo.blockHeight == null || height - utxo.blockHeight < COINBASE_MATURITY)) {
        return await this.park(txid, raw, 'rejected', 'bad-txns-premature-spend-of-coinbase')
      }
    }
    if (competing.size > 0) {
      await this.park(txid, raw, 'doublespend', '', [...competing])
      for (const other of competing) {
        const meta = await this.statusRow(other)
        const list = new Set(meta != null ? JSON.parse(meta.competingTxs) as string[] : [])
        list.add(txid)
        await this.upsertStatus(other, { competingTxs: JSON.stringify([...list]) })
      }
      return
    }
    await this.knex.transaction(async trx => {
      const store = new MockChainStorage(trx)
      await store.insertTransaction(txid, raw)
      for (const [vout, out] of tx.outputs.entries()) {
        const script = out.lockingScript.toBinary()
        await store.insertUtxo(txid, vout, Array.from(script), out.satoshis ?? 0, sha256Hex(Array.from(script)))
      }
      for (const input of tx.inputs) await store.markUtxoSpent(input.sourceTXID!, input.sourceOutputIndex, txid)
    })
    const now = Date.now()
    const seenAt = this.timing.seenDelayMs > 0 ? now + this.timing.seenDelayMs : 0
    const announceAt = this.timing.announceDelayMs > 0 ? now + Math.min(this.timing.announceDelayMs, this.timing.seenDelayMs) : 0
    await this.upsertStatus(txid, { state: 'accepted', rawTx: null, extraInfo: '', seenAt, announceAt, stale: 0 })
  }

  private async park (txid: string, raw: number[], state: 'orphan' | 'doublespend' | 'rejected', extraInfo: string, competingTxs: string[] = []): Promise<void> {
    const orphans = await this.knex(STATUS_TABLE).where({ state: 'orphan' }).count<Array<{ n: number }>>({ n: '*' })
    if (state === 'orphan' && Number(orphans[0]?.n ?? 0) >= MAX_ORPHANS) { state = 'rejected'; extraInfo = 'orphan pool full' }
    // Anyone can submit EF whose claimed sources pass ARC's checks and land here: keep the
    // refused ones bounded (oldest forgotten first), like a node's limited orphan pool.
    const refused = await this.knex(STATUS_TABLE).where({ state: 'rejected' }).count<Array<{ n: number }>>({ n: '*' })
    if (Number(refused[0]?.n ?? 0) >= MAX_REFUSED) {
      await this.knex(STATUS_TABLE).whereIn('rowid', this.knex(STATUS_TABLE).select('rowid').where({ state: 'rejected' }).orderBy('rowid').limit(MAX_REFUSED / 10)).delete()
    }
    await this.upsertStatus(txid, { state, rawTx: Buffer.from(raw), extraInfo, competingTxs: JSON.stringify(competingTxs) })
  }

  /** Orphans whose parents have arrived leave the orphan pool (ARC: SEEN_IN_ORPHAN_MEMPOOL → SEEN_ON_NETWORK). */
  private async retryOrphans (): Promise<void> {
    for (let round = 0; round < 10; round++) {
      const orphans = await this.knex(STATUS_TABLE).where({ state: 'orphan' }).limit(MAX_ORPHANS) as StatusRow[]
      let progressed = false
      for (const o of orphans) {
        const tx = Transaction.fromBinary(Array.from(o.rawTx!))
        const parentsKnown = await Promise.all(tx.inputs.map(async i => await this.services.storage.getUtxo(i.sourceTXID!, i.sourceOutputIndex) != null))
        if (!parentsKnown.every(Boolean)) continue
        const beef = new Beef()
        beef.mergeRawTx(Array.from(o.rawTx!))
        await this.offerToNode(beef, o.txid)
        if ((await this.statusRow(o.txid))?.state !== 'orphan') progressed = true
      }
      if (!progressed) return
    }
  }

  /** After a block: a double-spend attempt whose competitor was mined is REJECTED. */
  private async settleDoubleSpends (): Promise<void> {
    const rows = await this.knex(STATUS_TABLE).where({ state: 'doublespend' }) as StatusRow[]
    for (const r of rows) {
      const competing = JSON.parse(r.competingTxs) as string[]
      for (const other of competing) {
        if (await this.minedHeight(other) != null) {
          await this.upsertStatus(r.txid, { state: 'rejected', extraInfo: `double spend: competing transaction ${other} was mined` })
          break
        }
      }
    }
  }

  /**
   * Splits a matured coinbase into mined OP_TRUE "pool" outputs the faucet pays from.
   * The faucet never pays straight from a coinbase: @bsv/sdk 2.1's MerklePath.verify
   * inverts its coinbase-maturity test and would reject the payout's ancestry.
   */
  async refillPool (): Promise<void> {
    const rows = await this.services.storage.getUtxosByScriptHash(sha256Hex(OP_TRUE))
    if (rows.some(r => !r.isCoinbase && (r.spentByTxid == null || r.spentByTxid === '') && r.blockHeight != null)) return
    const height = await this.height()
    const coinbase = rows.find(r => r.isCoinbase && (r.spentByTxid == null || r.spentByTxid === '') && r.blockHeight != null && height - r.blockHeight >= COINBASE_MATURITY)
    if (coinbase == null) throw new ChainRejection(503, 'no matured coinbase; mine more blocks')
    const tx = new Transaction()
    tx.addInput({ sourceTransaction: Transaction.fromBinary((await this.rawTx(coinbase.txid))!), sourceOutputIndex: coinbase.vout, unlockingScript: new UnlockingScript([]) })
    const parts = 49
    for (let i = 0; i < parts; i++) tx.addOutput({ lockingScript: new LockingScript([{ op: 0x51 }]), satoshis: Math.floor((Number(coinbase.satoshis) - 10_000) / parts) })
    const info = await this.submit(tx.toBinary())
    if (info.txStatus !== 'SEEN_ON_NETWORK' && info.txStatus !== 'ANNOUNCED_TO_NETWORK' && info.txStatus !== 'STORED') throw new ChainRejection(503, `faucet pool refill ${info.txStatus}`)
    await this.mine(1)
  }

  /** Pays `satoshis` to a locking script from the mined pool (anyone-can-spend OP_TRUE). */
  async faucet (lockingScriptHex: string, satoshis: number): Promise<TxInfo> {
    if (!Number.isSafeInteger(satoshis) || satoshis < 1 || satoshis > 100_000_000) {
      throw new ChainRejection(400, 'faucet amount must be 1..100,000,000 satoshis')
    }
    await this.refillPool()
    const tx = await this.lock.run(async () => {
      const rows = await this.services.storage.getUtxosByScriptHash(sha256Hex(OP_TRUE))
      // Confirmed pool outputs first, so payouts do not stack long unconfirmed chains.
      const candidates = rows
        .filter(r => !r.isCoinbase && (r.spentByTxid == null || r.spentByTxid === '') && Number(r.satoshis) > satoshis + 10_000)
        .sort((a, b) => (a.blockHeight == null ? 1 : 0) - (b.blockHeight == null ? 1 : 0))
      const source = candidates[0]
      if (source == null) throw new ChainRejection(503, 'the faucet pool is empty; mine a block and retry')
      const sourceTx = Transaction.fromBinary((await this.rawTx(source.txid))!)
      const tx = new Transaction()
      tx.addInput({ sourceTransaction: sourceTx, sourceOutputIndex: source.vout, unlockingScript: new UnlockingScript([]) })
      tx.addOutput({ lockingScript: LockingScript.fromHex(lockingScriptHex), satoshis })
      const size = tx.toBinary().length + 9 + 1
      const fee = arcRequiredFee(size, this.feeSatoshis, this.feeBytes)
      tx.addOutput({ lockingScript: new LockingScript([{ op: 0x51 }]), satoshis: Number(source.satoshis) - satoshis - fee })
      return tx
    })
    const info = await this.submit(tx.toBinary())
    if (info.txStatus === 'REJECTED' || info.txStatus === 'SEEN_IN_ORPHAN_MEMPOOL' || info.txStatus === 'DOUBLE_SPEND_ATTEMPTED') {
      throw new ChainRejection(503, `faucet payout ${info.txStatus}; retry`)
    }
    return info
  }
}

function toHeader (h: { height: number, hash: string, previousHash: string, merkleRoot: string, time: number, bits: number, nonce: number, version: number }): Header {
  return { height: h.height, hash: h.hash, previousHash: h.previousHash, merkleRoot: h.merkleRoot, time: h.time, bits: h.bits, nonce: h.nonce, version: h.version }
}

