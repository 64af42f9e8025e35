// The devnet: a chain simulator for development and tests. wallet-toolbox's MockServices
// keeps the UTXO set, blocks and merkle proofs in SQLite; on top of it we validate like a
// miner would (scripts per input, double spends, coinbase maturity, fee policy, ARC codes).
import knexFactory, { type Knex } from 'knex'
import { Beef, Hash, LockingScript, Spend, Transaction, UnlockingScript, Utils, type MerklePath } from '@bsv/sdk'
import { MockChainStorage } from '@bsv/wallet-toolbox/out/src/mockchain/MockChainStorage.js'
import { MockServices } from '@bsv/wallet-toolbox/out/src/mockchain/MockServices.js'
import { computeMerklePath } from '@bsv/wallet-toolbox/out/src/mockchain/merkleTree.js'

export interface DevnetOptions {
  /** SQLite file; ':memory:' keeps the chain in memory (tests). */
  file: string
  /** Mining fee policy, satoshis per `feeBytes` bytes. */
  feeSatoshis?: number
  feeBytes?: number
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

export type TxStatus = 'SEEN_ON_NETWORK' | 'MINED'

export interface TxInfo {
  txid: string
  txStatus: TxStatus
  blockHeight?: number
  blockHash?: string
  merklePath?: MerklePath
}

export interface Utxo {
  txid: string
  vout: number
  satoshis: number
  height: number | null
}

/** A rejection with the HTTP status ARC uses for it. */
export class ChainRejection extends Error {
  constructor (readonly status: number, readonly title: string, detail: string, readonly txid?: string) {
    super(detail)
  }
}

const OP_TRUE = [0x51]
const COINBASE_MATURITY = 100
const MAX_TX_BYTES = 10_000_000

function sha256Hex (bytes: number[]): string {
  return Utils.toHex(Hash.sha256(bytes))
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

export class Devnet {
  readonly feeSatoshis: number
  readonly feeBytes: number
  private readonly lock = new Mutex()
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
    const devnet = new Devnet(knex, services, opts)
    // Mature enough coinbase for the faucet from the first start.
    const height = await devnet.height()
    if (height < COINBASE_MATURITY + 10) await devnet.mine(COINBASE_MATURITY + 10 - height)
    await devnet.refillPool()
    return devnet
  }

  async close (): Promise<void> {
    this.stopMining()
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

  async mine (count = 1): Promise<Header[]> {
    return await this.lock.run(async () => {
      const out: Header[] = []
      for (let i = 0; i < count; i++) out.push(toHeader(await this.services.mineBlock()))
      return out
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

  async rawTx (txid: string): Promise<number[] | undefined> {
    return (await this.services.getRawTx(txid)).rawTx
  }

  async txInfo (txid: string): Promise<TxInfo | undefined> {
    const row = await this.services.storage.getTransaction(txid)
    if (row == null) return undefined
    if (row.blockHeight == null) return { txid, txStatus: 'SEEN_ON_NETWORK' }
    const txs = await this.services.storage.getTransactionsInBlock(row.blockHeight)
    const ids = txs.map(t => t.txid)
    const header = await this.header(row.blockHeight)
    return {
      txid,
      txStatus: 'MINED',
      blockHeight: row.blockHeight,
      blockHash: header?.hash,
      merklePath: computeMerklePath(ids, ids.indexOf(txid), row.blockHeight)
    }
  }

  /** Unspent outputs locked by exactly this script. */
  async utxosForScript (lockingScriptHex: string): Promise<Utxo[]> {
    const rows = await this.services.storage.getUtxosByScriptHash(sha256Hex(Utils.toArray(lockingScriptHex, 'hex')))
    return rows
      .filter(r => r.spentByTxid == null || r.spentByTxid === '')
      .map(r => ({ txid: r.txid, vout: r.vout, satoshis: Number(r.satoshis), height: r.blockHeight ?? null }))
  }

  /**
   * Accepts raw, EF (BRC-30) or BEEF (V1/V2) bytes like ARC's POST /v1/tx.
   * Returns the subject txid; throws ChainRejection with ARC's status code.
   */
  async submit (bytes: number[]): Promise<TxInfo> {
    if (bytes.length === 0) throw new ChainRejection(463, 'Malformed transaction', 'empty body')
    if (bytes.length > MAX_TX_BYTES) throw new ChainRejection(474, 'Transaction too large', `${bytes.length} bytes`)
    const { beef, txids } = parseSubmission(bytes)
    return await this.lock.run(async () => {
      const subject = txids[txids.length - 1]!
      if (beef.bumps.length > 0) {
        if (!beef.isValid(true)) throw new ChainRejection(468, 'Invalid BUMPs', 'a merkle proof in the BEEF does not prove its transaction', subject)
        // Only a clear "no" from the chain is a verdict on the transaction; a failure to
        // ask (storage closing, say) must surface as a server error the client retries.
        const ok = await beef.verify(await this.services.getChainTracker(), true)
        if (!ok) throw new ChainRejection(469, 'Invalid merkle roots', 'a merkle proof in the BEEF does not match the devnet chain', subject)
      }
      for (const txid of txids) {
        if (await this.services.storage.getTransaction(txid) != null) continue
        await this.acceptOne(beef, txid)
      }
      const info = await this.txInfo(subject)
      if (info == null) throw new ChainRejection(409, 'Generic error', 'transaction vanished', subject)
      return info
    })
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
    if (coinbase == null) throw new ChainRejection(503, 'Faucet dry', 'no matured coinbase; mine more blocks')
    const tx = new Transaction()
    tx.addInput({ sourceTransaction: Transaction.fromBinary((await this.rawTx(coinbase.txid))!), sourceOutputIndex: coinbase.vout, unlockingScript: new UnlockingScript([]) })
    const parts = 49
    for (let i = 0; i < parts; i++) tx.addOutput({ lockingScript: new LockingScript([{ op: 0x51 }]), satoshis: Math.floor((Number(coinbase.satoshis) - 10_000) / parts) })
    await this.submit(tx.toBinary())
    await this.mine(1)
  }

  /** Pays `satoshis` to a locking script from the mined pool (anyone-can-spend OP_TRUE). */
  async faucet (lockingScriptHex: string, satoshis: number): Promise<TxInfo> {
    if (!Number.isSafeInteger(satoshis) || satoshis < 1 || satoshis > 100_000_000) {
      throw new ChainRejection(400, 'Bad request', 'faucet amount must be 1..100,000,000 satoshis')
    }
    await this.refillPool()
    const tx = await this.lock.run(async () => {
      const rows = await this.services.storage.getUtxosByScriptHash(sha256Hex(OP_TRUE))
      // Confirmed pool outputs first, so payouts do not stack long unconfirmed chains.
      const candidates = rows
        .filter(r => !r.isCoinbase && (r.spentByTxid == null || r.spentByTxid === '') && Number(r.satoshis) > satoshis + 10_000)
        .sort((a, b) => (a.blockHeight == null ? 1 : 0) - (b.blockHeight == null ? 1 : 0))
      const source = candidates[0]
      if (source == null) throw new ChainRejection(503, 'Faucet dry', 'the faucet pool is empty; mine a block and retry')
      const sourceTx = Transaction.fromBinary((await this.rawTx(source.txid))!)
      const tx = new Transaction()
      tx.addInput({ sourceTransaction: sourceTx, sourceOutputIndex: source.vout, unlockingScript: new UnlockingScript([]) })
      tx.addOutput({ lockingScript: LockingScript.fromHex(lockingScriptHex), satoshis })
      const size = tx.toBinary().length + 9 + 1
      const fee = Math.ceil(size * this.feeSatoshis / this.feeBytes)
      tx.addOutput({ lockingScript: new LockingScript([{ op: 0x51 }]), satoshis: Number(source.satoshis) - satoshis - fee })
      return tx
    })
    return await this.submit(tx.toBinary())
  }

  private async acceptOne (beef: Beef, txid: string): Promise<void> {
    const beefTx = beef.findTxid(txid)
    const raw = beefTx?.rawTx
    if (raw == null) throw new ChainRejection(467, 'Mined ancestors not in BEEF', `transaction ${txid} missing`, txid)
    const tx = Transaction.fromBinary(Array.from(raw))
    if (tx.inputs.length === 0 || tx.outputs.length === 0) throw new ChainRejection(463, 'Malformed transaction', 'a transaction needs inputs and outputs', txid)
    let inSats = 0
    const height = await this.height()
    const spent: Array<{ satoshis: number, script: number[] }> = []
    for (const [i, input] of tx.inputs.entries()) {
      const utxo = await this.services.storage.getUtxo(input.sourceTXID!, input.sourceOutputIndex)
      if (utxo == null) throw new ChainRejection(462, 'Inputs invalid', `input ${i} spends ${input.sourceTXID}:${input.sourceOutputIndex}, which the devnet does not know`, txid)
      if (utxo.spentByTxid != null && utxo.spentByTxid !== '') {
        throw new ChainRejection(466, 'Double spend attempted', `input ${i} was already spent by ${utxo.spentByTxid}`, txid)
      }
      if (utxo.isCoinbase && (utxo.blockHeight == null || height - utxo.blockHeight < COINBASE_MATURITY)) {
        throw new ChainRejection(462, 'Inputs invalid', `input ${i} spends immature coinbase`, txid)
      }
      inSats += Number(utxo.satoshis)
      spent.push({ satoshis: Number(utxo.satoshis), script: Array.from(utxo.lockingScript) })
    }
    const outSats = tx.outputs.reduce((s, o) => s + (o.satoshis ?? 0), 0)
    if (outSats > inSats) throw new ChainRejection(464, 'Outputs invalid', `outputs ${outSats} exceed inputs ${inSats}`, txid)
    const required = Math.floor(raw.length * this.feeSatoshis / this.feeBytes)
    if (inSats - outSats < required) {
      throw new ChainRejection(465, 'Fee too low', `fee ${inSats - outSats} below ${required} required for ${raw.length} bytes`, txid)
    }
    // Scripts are checked per input against the UTXO set, so chains of unconfirmed
    // transactions validate without their whole ancestry.
    for (const [i, input] of tx.inputs.entries()) {
      let ok = false
      let why = 'script evaluated to false'
      try {
        ok = new Spend({
          sourceTXID: input.sourceTXID!,
          sourceOutputIndex: input.sourceOutputIndex,
          lockingScript: LockingScript.fromBinary(spent[i]!.script),
          sourceSatoshis: spent[i]!.satoshis,
          transactionVersion: tx.version,
          otherInputs: tx.inputs.filter((_, j) => j !== i),
          unlockingScript: input.unlockingScript!,
          inputSequence: input.sequence ?? 0xffffffff,
          inputIndex: i,
          outputs: tx.outputs,
          lockTime: tx.lockTime
        }).validate()
      } catch (e) { why = (e as Error).message }
      if (!ok) throw new ChainRejection(461, 'Unlocking scripts invalid', `input ${i}: ${why}`.slice(0, 300), txid)
    }
    await this.knex.transaction(async trx => {
      const store = new MockChainStorage(trx)
      await store.insertTransaction(txid, Array.from(raw))
      for (const [vout, out] of tx.outputs.entries()) {
        const script = out.lockingScript.toBinary()
        await store.insertUtxo(txid, vout, Array.from(script), out.satoshis ?? 0, sha256Hex(Array.from(script)))
      }
      for (const input of tx.inputs) await store.markUtxoSpent(input.sourceTXID!, input.sourceOutputIndex, txid)
    })
  }
}

function toHeader (h: { height: number, hash: string, previousHash: string, merkleRoot: string, time: number, bits: number, nonce: number, version: number }): Header {
  return { height: h.height, hash: h.hash, previousHash: h.previousHash, merkleRoot: h.merkleRoot, time: h.time, bits: h.bits, nonce: h.nonce, version: h.version }
}

const BEEF_PREFIXES = [[0x01, 0x00, 0xbe, 0xef], [0x02, 0x00, 0xbe, 0xef]]

/** Decodes a submission into a BEEF plus the txids to accept, parents first. */
export function parseSubmission (bytes: number[]): { beef: Beef, txids: string[] } {
  try {
    const head = bytes.slice(0, 4)
    if (BEEF_PREFIXES.some(p => p.every((b, i) => head[i] === b))) {
      const beef = Beef.fromBinary(bytes)
      beef.sortTxs()
      const txids = beef.txs.filter(t => t.bumpIndex === undefined && !t.isTxidOnly).map(t => t.txid)
      if (txids.length === 0) throw new Error('BEEF has no unmined transaction')
      return { beef, txids }
    }
    const isEF = bytes.length > 10 && bytes.slice(4, 10).every((b, i) => b === [0, 0, 0, 0, 0, 0xef][i])
    const tx = isEF ? Transaction.fromEF(bytes) : Transaction.fromBinary(bytes)
    const beef = new Beef()
    beef.mergeRawTx(tx.toBinary())
    return { beef, txids: [tx.id('hex')] }
  } catch (e) {
    if (e instanceof ChainRejection) throw e
    throw new ChainRejection(463, 'Malformed transaction', `could not parse transaction: ${(e as Error).message}`)
  }
}
