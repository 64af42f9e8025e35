// An unlocked wallet on one network: addresses, coins, sending, sync and the outbox.
// Everything that must survive a closed tab is written to IndexedDB before it is acted on.
import { MerklePath, Transaction, type ChainTracker, type PrivateKey } from '@bsv/sdk'
import { ArcClient } from '../chain/arc.ts'
import { ChainReader } from '../chain/chain-reader.ts'
import { HeaderChainTracker } from '../chain/header-tracker.ts'
import { NetworkDown } from '../chain/http.ts'
import { feeFor, selectCoins, txBytes } from '../core/coin-select.ts'
import { addressOf, GAP_LIMIT, HANDOVER_LAYOUT, Keyring, keyPath, lockingScriptOf, RESTORE_LAYOUTS, type ChainLayout } from '../core/keys.ts'
import type { Network } from '../core/network.ts'
import { buildPayment, type BuiltPayment, type PaymentOutput, type SpendableCoin } from '../core/tx-build.ts'
import { judgeArc, type ArcVerdict } from '../core/arc-status.ts'
import { buildSweep } from '../core/tx-cancel.ts'
import { openChainDB, type ChainDB } from '../store/db.ts'
import type { AddressRecord, CoinRecord, LedgerRecord, SessionRecord, Settings } from '../store/records.ts'
import { fetchWithAncestry, loadLocalTx } from './ancestry.ts'
import {
  setLedger, writeArcNotes, writeBroadcast, writeCancel, writeIncoming, writeOutgoing, writeProof, writeRefused, writeSynced, writeUnwind,
  type IncomingArgs, type OutgoingMeta
} from './ledger-book.ts'
import { FALLBACK_FEE_RATE, resolveEndpoint } from './settings.ts'

export interface Balance {
  /** Spendable now (confirmed or our own / verified unconfirmed). */
  spendable: number
  /** Locked in payments we signed that the network has not taken yet. */
  pending: number
  /** Handed to us and verified, waiting for a miner to take it. */
  incoming: number
}

export interface SendRequest {
  lockingScript: string
  satoshis: number
  /** Address or name, for the ledger. */
  counterparty?: string
  memo?: string
}

export interface PreparedPayment {
  built: BuiltPayment<CoinRecord & SpendableCoin>
  change: AddressRecord
  outputs: PaymentOutput[]
  own: Map<string, AddressRecord>
}

export interface SyncReport {
  newCoins: number
  rejected: string[]
}

const BACKOFF_MS = [2_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000]
/** Ledger states whose end the network has not told us yet: followed on every refresh. */
const FOLLOWED: ReadonlySet<LedgerRecord['status']> = new Set(['handed-over', 'broadcasting', 'seen', 'refused'])
/**
 * A failed entry is still asked about for this long: a payee or anyone else holding it may
 * get it mined after all (then it was paid, and the ledger must say so).
 */
const FAILED_WATCH_MS = 3 * 24 * 3600_000
/** How long a coin may be missing from the chain index before it counts as spent elsewhere. */
const INDEXER_GRACE_MS = 2 * 60_000
/** Addresses checked past the last one handed out, on ordinary syncs. Restore uses GAP_LIMIT. */
const LOOKAHEAD = 5

export class Wallet {
  private readonly listeners = new Set<() => void>()
  private outboxRun: Promise<void> | undefined
  private cachedFeeRate: number | undefined

  private constructor (
    readonly network: Network,
    readonly db: ChainDB,
    private readonly keys: Keyring,
    readonly reader: ChainReader,
    readonly arc: ArcClient,
    readonly tracker: HeaderChainTracker,
    private readonly settings: Settings,
    readonly origin: string
  ) {}

  static async open (seed: number[], settings: Settings, origin: string, dbPrefix = 'handover'): Promise<Wallet> {
    const network = settings.network
    const ep = settings.endpoints[network]
    const db = await openChainDB(network, dbPrefix)
    const reader = new ChainReader(resolveEndpoint(ep.chain, origin), ep.chainKey)
    const tracker = new HeaderChainTracker(reader, {
      get: async h => await db.get('headers', h),
      put: async h => { await db.put('headers', h) }
    })
    return new Wallet(network, db, new Keyring(seed), reader, new ArcClient(resolveEndpoint(ep.arc, origin), ep.arcKey), tracker, settings, origin)
  }

  close (): void {
    this.db.close()
    this.listeners.clear()
  }

  onChange (fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private changed (): void {
    for (const fn of this.listeners) { try { fn() } catch { /* a view's bug must not break the wallet */ } }
  }

  key (path: string): PrivateKey {
    return this.keys.privateKey(path)
  }

  /** Identity key for the peer link: its own hardened branch, never used on chain. */
  identityKey (): PrivateKey {
    return this.keys.privateKey("m/44'/236'/1'/0/0")
  }

  // ---------- addresses ----------

  private addressRecord (chain: string, index: number): AddressRecord {
    const path = keyPath(chain, index)
    const key = this.keys.privateKey(path)
    return { keyPath: path, chain, index, address: addressOf(key, this.network), lockingScript: lockingScriptOf(key), used: false }
  }

  private async addressesOf (chain: string): Promise<AddressRecord[]> {
    const all = await this.db.getAll('addresses')
    return all.filter(a => a.chain === chain).sort((a, b) => a.index - b.index)
  }

  /** The first receive address that has never received coins; registered so sync watches it. */
  async receiveAddress (): Promise<AddressRecord> {
    return await this.nextUnused(HANDOVER_LAYOUT.receive)
  }

  private async nextUnused (chain: string): Promise<AddressRecord> {
    const list = await this.addressesOf(chain)
    const free = list.find(a => !a.used)
    if (free !== undefined) return free
    const rec = this.addressRecord(chain, list.length === 0 ? 0 : list[list.length - 1]!.index + 1)
    await this.db.put('addresses', rec)
    return rec
  }

  private async ownScripts (): Promise<Map<string, AddressRecord>> {
    const map = new Map<string, AddressRecord>()
    for (const a of await this.db.getAll('addresses')) map.set(a.lockingScript, a)
    return map
  }

  // ---------- reading ----------

  async balance (): Promise<Balance> {
    const spendable = await this.db.getAllFromIndex('coins', 'status', 'unspent')
    const pending = await this.db.getAllFromIndex('coins', 'status', 'pending')
    // Our own change waiting on a refused payment or a cancel is not money arriving.
    const incoming: CoinRecord[] = []
    for (const c of await this.db.getAllFromIndex('coins', 'status', 'incoming')) {
      if ((await this.db.get('ledger', c.txid))?.direction === 'in') incoming.push(c)
    }
    return {
      spendable: spendable.reduce((s, c) => s + c.satoshis, 0),
      pending: pending.reduce((s, c) => s + c.satoshis, 0),
      incoming: incoming.reduce((s, c) => s + c.satoshis, 0)
    }
  }

  async history (): Promise<LedgerRecord[]> {
    return (await this.db.getAllFromIndex('ledger', 'createdAt')).reverse()
  }

  /** The fee rate to pay and to demand: settings, else the miner's policy (remembered for offline use). */
  async feeRate (): Promise<number> {
    if (this.settings.feeRate !== undefined) return this.settings.feeRate
    if (this.cachedFeeRate !== undefined) return this.cachedFeeRate
    try {
      this.cachedFeeRate = await this.arc.feeRate()
      await this.db.put('meta', { key: 'feeRate', value: this.cachedFeeRate })
      return this.cachedFeeRate
    } catch {
      const known = (await this.db.get('meta', 'feeRate'))?.value
      return typeof known === 'number' ? known : FALLBACK_FEE_RATE
    }
  }

  /**
   * The SPV tracker, wrapped to notice when the network is gone, so a payment checked
   * offline can still be judged on scripts and amounts, with proofs left for later.
   */
  offlineAwareTracker (): { tracker?: ChainTracker, wentOffline: () => boolean } {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return { tracker: undefined, wentOffline: () => false }
    let down = false
    const t = this.tracker
    const guard = async <R>(fn: () => Promise<R>): Promise<R> => {
      try { return await fn() } catch (e) { if (e instanceof NetworkDown) down = true; throw e }
    }
    return {
      tracker: {
        isValidRootForHeight: async (root, height) => await guard(async () => await t.isValidRootForHeight(root, height)),
        currentHeight: async () => await guard(async () => await t.currentHeight())
      },
      wentOffline: () => down
    }
  }

  /** Largest amount that can be sent to one P2PKH output, after fee. */
  async maxSendable (): Promise<number> {
    const coins = await this.db.getAllFromIndex('coins', 'status', 'unspent')
    const total = coins.reduce((s, c) => s + c.satoshis, 0)
    const fee = feeFor(txBytes(coins.length, [25]), await this.feeRate())
    return Math.max(0, total - fee)
  }

  // ---------- sending ----------

  /**
   * Selects coins, builds and signs — and writes nothing. Until `commitOutgoing` stores it,
   * the signature does not exist as far as the wallet is concerned: signing again is safe.
   */
  async prepare (outputs: PaymentOutput[]): Promise<PreparedPayment> {
    const rate = await this.feeRate()
    const coins = await this.db.getAllFromIndex('coins', 'status', 'unspent')
    const target = outputs.reduce((s, o) => s + o.satoshis, 0)
    const chosen = selectCoins(coins, outputs.map(o => o.lockingScript.length / 2), target, rate)
    const spendable: Array<CoinRecord & SpendableCoin> = []
    for (const c of chosen.inputs) {
      const source = await loadLocalTx(this.db, c.txid)
      if (source === undefined) throw new Error(`The wallet lost the history of coin ${c.id}; run a sync.`)
      spendable.push({ ...c, sourceTransaction: source })
    }
    const change = await this.nextUnused(HANDOVER_LAYOUT.change)
    const built = await buildPayment({ coins: spendable, outputs, changeScript: change.lockingScript, satsPerKb: rate, keyFor: p => this.keys.privateKey(p) })
    return { built, change, outputs, own: await this.ownScripts() }
  }

  /**
   * Stores a prepared payment — spent coins, change coin, ledger entry, outbox entry and,
   * for a face-to-face payment, its session — in one IndexedDB transaction. Only after
   * this may the transaction leave the device.
   */
  async commitOutgoing (p: PreparedPayment, meta: OutgoingMeta): Promise<LedgerRecord> {
    const entry = await writeOutgoing(this.db, p, meta)
    this.changed()
    return entry
  }

  /** Signs a payment to an address, stores it, then broadcasts. */
  async send (req: SendRequest): Promise<LedgerRecord> {
    const prepared = await this.prepare([{ lockingScript: req.lockingScript, satoshis: req.satoshis }])
    const entry = await this.commitOutgoing(prepared, { counterparty: req.counterparty, memo: req.memo })
    void this.processOutbox()
    return entry
  }

  /** A fresh receive output for a payment request; handed out once, never reused. */
  async freshReceiveOutput (): Promise<AddressRecord> {
    const rec = await this.nextUnused(HANDOVER_LAYOUT.receive)
    await this.db.put('addresses', { ...rec, used: true })
    return rec
  }

  // ---------- outbox ----------

  /** Broadcasts everything due. Safe to call often; runs one pass at a time. */
  async processOutbox (now = Date.now()): Promise<void> {
    if (this.outboxRun !== undefined) return await this.outboxRun
    this.outboxRun = (async () => {
      const due = (await this.db.getAll('outbox')).filter(o => o.nextAttemptAt <= now)
      for (const item of due) await this.broadcastOnce(item.txid)
    })().finally(() => { this.outboxRun = undefined; this.changed() })
    return await this.outboxRun
  }

  /**
   * One broadcast attempt of a stored transaction. ARC's answer is judged by the one table
   * (core/arc-status.ts) and its meaning written to the ledger, coins and outbox before it
   * is returned (for the payment sessions).
   */
  async broadcastOnce (txid: string): Promise<ArcVerdict> {
    try {
      const rec = await this.db.get('txs', txid)
      if (rec === undefined) { await this.db.delete('outbox', txid); return { kind: 'transient', message: 'This transaction is not stored on this device.' } }
      const entry = await this.db.get('ledger', txid)
      // A payment its payee refused is never sent by us: it stays theirs to broadcast or not.
      if (entry?.status === 'refused' || entry?.status === 'cancelled') {
        await this.db.delete('outbox', txid)
        return { kind: 'transient', message: 'The payee refused this payment; it is not broadcast.' }
      }
      const item = await this.db.get('outbox', txid) ?? { txid, attempts: 0, nextAttemptAt: 0 }
      if (entry?.status !== 'seen' && entry?.status !== 'mined') await setLedger(this.db, txid, { status: 'broadcasting' })
      const beef = Transaction.fromHexBEEF(rec.beef, txid).toBEEF()
      const verdict = judgeArc(await this.arc.submit(beef), txid, 'submit')
      switch (verdict.kind) {
        case 'accepted':
          await writeBroadcast(this.db, txid, verdict.status, { own: await this.ownScripts(), notes: verdict })
          if (verdict.status === 'mined') await this.storeProof(txid, verdict.merklePath)
          break
        case 'failed':
          await writeUnwind(this.db, txid, verdict.doubleSpend, verdict.message, undefined, verdict)
          break
        case 'in-progress': {
          // ARC holds it; status polls follow it, and a later resubmission only asks again.
          await writeArcNotes(this.db, txid, verdict, verdict.warning ? verdict.message : undefined)
          await this.backoff(item, verdict.warning ? verdict.message : undefined, 'broadcasting')
          break
        }
        default:
          await this.backoff(item, verdict.message, 'handed-over')
      }
      return verdict
    } finally {
      this.changed()
    }
  }

  private async backoff (item: { txid: string, attempts: number }, message: string | undefined, status: 'broadcasting' | 'handed-over'): Promise<void> {
    const attempts = item.attempts + 1
    const wait = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!
    await this.db.put('outbox', { ...item, attempts, nextAttemptAt: Date.now() + wait, ...(message !== undefined ? { lastError: message } : {}) })
    const cur = await this.db.get('ledger', item.txid)
    if (cur !== undefined && cur.status !== 'seen' && cur.status !== 'mined') await setLedger(this.db, item.txid, { status, error: message })
  }

  /**
   * Retries now what is backing off after a failed attempt (the network came back, or the
   * user asked). An entry still waiting for its first due time — a face-to-face payment
   * before its ack deadline — keeps it: its payee may yet answer, even with a refusal.
   */
  async retryNow (): Promise<void> {
    const tx = this.db.transaction('outbox', 'readwrite')
    for (const o of await tx.store.getAll()) if (o.attempts > 0) await tx.store.put({ ...o, nextAttemptAt: 0 })
    await tx.done
    await this.processOutbox()
  }

  /**
   * Undoes a payment that will never confirm: its inputs come back (or are flagged when
   * another transaction took them), its outputs disappear, the ledger says why.
   * Used for final miner refusals and for payments that were never handed to anyone.
   */
  async unwind (txid: string, doubleSpent: boolean, message: string, session?: SessionRecord): Promise<void> {
    await writeUnwind(this.db, txid, doubleSpent, message, session)
    this.changed()
  }

  /**
   * The payee refused a payment it holds signed. Its coins stay reserved and the txid is
   * watched: if the payee broadcasts it anyway, the ledger says paid; "Cancel for sure"
   * is the way to get the coins back.
   */
  async markRefused (txid: string, message: string, session?: SessionRecord): Promise<void> {
    await writeRefused(this.db, txid, message, session)
    this.changed()
  }

  /**
   * "Cancel for sure": spends the refused payment's coins back to a fresh address of ours,
   * a deliberate double spend, and broadcasts it. The coins count as ours again only once
   * a miner takes this transaction; until then they stay reserved.
   */
  async cancelForSure (txid: string): Promise<LedgerRecord> {
    const entry = await this.db.get('ledger', txid)
    if (entry?.status !== 'refused') throw new Error('Only a payment the payee refused can be cancelled.')
    if (entry.cancelledBy !== undefined) throw new Error('A cancel for this payment is already on its way.')
    const coins = (await this.db.getAllFromIndex('coins', 'spentBy', txid)).filter(c => c.status === 'pending')
    const spendable: Array<CoinRecord & SpendableCoin> = []
    for (const c of coins) {
      const source = await loadLocalTx(this.db, c.txid)
      if (source === undefined) throw new Error(`The wallet lost the history of coin ${c.id}; run a sync.`)
      spendable.push({ ...c, sourceTransaction: source })
    }
    const to = await this.nextUnused(HANDOVER_LAYOUT.change)
    const built = await buildSweep({ coins: spendable, toScript: to.lockingScript, satsPerKb: await this.feeRate(), keyFor: p => this.keys.privateKey(p) })
    const cancel = await writeCancel(this.db, { built, change: to, outputs: [], own: await this.ownScripts() }, txid)
    this.changed()
    await this.broadcastOnce(cancel.txid)
    return cancel
  }

  /**
   * Stores a payment handed to us and verified: its transaction, our outputs as incoming
   * coins, the ledger entry, the outbox entry and the session, in one write — before the ack.
   */
  async storeIncoming (args: IncomingArgs): Promise<void> {
    await writeIncoming(this.db, await this.ownScripts(), args)
    this.changed()
  }

  async saveSession (rec: SessionRecord): Promise<void> {
    await this.db.put('sessions', rec)
    this.changed()
  }

  async sessions (): Promise<SessionRecord[]> {
    return await this.db.getAll('sessions')
  }

  async session (paymentId: string): Promise<SessionRecord | undefined> {
    return await this.db.get('sessions', paymentId)
  }

  async ledgerEntry (txid: string): Promise<LedgerRecord | undefined> {
    return await this.db.get('ledger', txid)
  }

  // ---------- status ----------

  /**
   * Follows every entry the network has not finished with to its end, judging each answer
   * by the same table as broadcasts: seen → mined (with a proof checked against headers),
   * seen → REJECTED (coins come back), failed or refused → MINED (paid after all),
   * DOUBLE_SPEND_ATTEMPTED → MINED or REJECTED. Whoever broadcast it.
   */
  async refreshStatuses (now = Date.now()): Promise<void> {
    const entries = (await this.db.getAll('ledger'))
      .filter(l => FOLLOWED.has(l.status) || (l.status === 'failed' && now - l.createdAt < FAILED_WATCH_MS))
    let own: Map<string, AddressRecord> | undefined
    for (const entry of entries) {
      const v = judgeArc(await this.arc.status(entry.txid), entry.txid, 'status')
      if (v.kind === 'accepted') {
        if (entry.status !== 'seen' || v.txStatus !== entry.arcStatus) {
          own ??= await this.ownScripts()
          await writeBroadcast(this.db, entry.txid, 'seen', { own, notes: v })
        }
        if (v.status === 'mined') await this.storeProof(entry.txid, v.merklePath)
      } else if (v.kind === 'failed') {
        if (entry.status !== 'failed') await writeUnwind(this.db, entry.txid, v.doubleSpend, v.message, undefined, v)
      } else if (v.kind === 'in-progress') {
        if (entry.status !== 'failed') await writeArcNotes(this.db, entry.txid, v, v.warning ? v.message : undefined)
      } else if (v.kind === 'unknown' && entry.status === 'seen') {
        // Broadcast elsewhere (a payee's own miner): the chain index may have its proof.
        const path = await this.reader.merklePath(entry.txid).catch(() => undefined)
        if (path !== undefined) await this.storeProof(entry.txid, path.toHex())
      }
    }
    this.changed()
  }

  /** Stores a merkle path for a mined tx once it checks out against our headers. */
  private async storeProof (txid: string, hex: string | undefined): Promise<void> {
    if (hex === undefined) return
    let path: MerklePath
    try { path = MerklePath.fromHex(hex) } catch { return }
    if (!await path.verify(txid, this.tracker).catch(() => false)) return
    await writeProof(this.db, txid, path)
  }

  // ---------- sync ----------

  /**
   * Finds coins on the wallet's addresses. Each new coin's transaction is fetched with its
   * ancestry and verified (scripts, and merkle paths against block headers) before it counts.
   */
  async sync (opts: { restore?: boolean } = {}): Promise<SyncReport> {
    const report: SyncReport = { newCoins: 0, rejected: [] }
    const layouts: readonly ChainLayout[] = opts.restore === true ? RESTORE_LAYOUTS : [HANDOVER_LAYOUT]
    const chains = new Set<string>()
    for (const l of layouts) { chains.add(l.receive); chains.add(l.change) }
    for (const a of await this.db.getAll('addresses')) chains.add(a.chain)
    for (const chain of chains) {
      const window = opts.restore === true ? GAP_LIMIT : LOOKAHEAD
      let index = 0
      let lastUsed = -1
      const known = await this.addressesOf(chain)
      for (const a of known) if (a.used) lastUsed = Math.max(lastUsed, a.index)
      const highestKnown = known.length > 0 ? known[known.length - 1]!.index : -1
      while (index <= Math.max(lastUsed + window, highestKnown)) {
        const rec = known.find(a => a.index === index) ?? this.addressRecord(chain, index)
        const found = await this.syncAddress(rec, report)
        if (found) lastUsed = index
        index++
      }
    }
    this.changed()
    return report
  }

  private async syncAddress (rec: AddressRecord, report: SyncReport): Promise<boolean> {
    const utxos = await this.reader.unspent(rec.address)
    const isOurs = rec.chain === HANDOVER_LAYOUT.receive || rec.chain === HANDOVER_LAYOUT.change
    if (utxos.length === 0 && !rec.used) {
      if (isOurs && await this.db.get('addresses', rec.keyPath) === undefined && rec.index === 0) await this.db.put('addresses', rec)
      return false
    }
    await this.db.put('addresses', { ...rec, used: true })
    const seen = new Set<string>()
    for (const u of utxos) {
      const id = `${u.txid}:${u.vout}`
      seen.add(id)
      const have = await this.db.get('coins', id)
      if (have !== undefined) {
        // The network lists it: a coin handed to us is now as good as any other, and one we
        // took for spent elsewhere (never by us: no spentBy) was only missing from an index.
        const status = have.status === 'incoming' || (have.status === 'spent' && have.spentBy === undefined) ? 'unspent' : have.status
        if ((have.height === undefined && u.height !== undefined) || status !== have.status) await this.db.put('coins', { ...have, status, height: have.height ?? u.height })
        continue
      }
      try {
        const tx = await fetchWithAncestry(this.db, this.reader, u.txid)
        const out = tx.outputs[u.vout]
        if (out === undefined || out.satoshis !== u.satoshis || out.lockingScript.toHex() !== rec.lockingScript) throw new Error('chain data does not match the transaction')
        if (!await tx.verify(this.tracker).catch(() => false)) throw new Error('failed SPV verification')
        await writeSynced(this.db, tx, u.vout, rec, u.height)
        report.newCoins++
      } catch (e) {
        report.rejected.push(`${id}: ${(e as Error).message}`)
      }
    }
    // Coins the network no longer lists were spent elsewhere (another device with this seed).
    // Indexers lag behind a fresh broadcast, so a young coin gets time before it is judged.
    for (const c of await this.db.getAllFromIndex('coins', 'status', 'unspent')) {
      if (c.lockingScript !== rec.lockingScript || seen.has(c.id)) continue
      const entry = await this.db.get('ledger', c.txid)
      const networkKnowsIt = c.height !== undefined || entry === undefined || entry.status === 'seen' || entry.status === 'mined'
      if (networkKnowsIt && Date.now() - c.createdAt > INDEXER_GRACE_MS) await this.db.put('coins', { ...c, status: 'spent' })
    }
    return true
  }

  // ---------- devnet ----------

  async getTestCoins (satoshis = 1_000_000): Promise<string> {
    if (this.network !== 'devnet') throw new Error('Test coins exist only on the devnet.')
    const addr = await this.receiveAddress()
    const base = new URL(this.settings.endpoints.devnet.arc.replace(/\/arc\/?$/, ''), this.origin).toString().replace(/\/$/, '')
    const res = await fetch(`${base}/faucet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: addr.address, satoshis }) })
    const body = await res.json().catch(() => ({})) as { txid?: string, detail?: string }
    if (!res.ok || typeof body.txid !== 'string') throw new Error(`The devnet faucet refused: ${body.detail ?? res.status}`)
    const report = await this.sync()
    if (report.rejected.length > 0) throw new Error(`The test coins arrived but failed verification: ${report.rejected[0]}`)
    return body.txid
  }
}

