// An unlocked wallet on one network: addresses, coins, sending, sync and the outbox.
// Everything that must survive a closed tab is written to IndexedDB before it is acted on.
import { MerklePath, Transaction, type ChainTracker, type PrivateKey } from '@bsv/sdk'
import { ArcClient } from '../chain/arc.ts'
import { BULK_MAX, ChainReader, type UnspentOutput } from '../chain/chain-reader.ts'
import { HeaderChainTracker } from '../chain/header-tracker.ts'
import { NetworkDown } from '../chain/http.ts'
import { feeFor, InsufficientFunds, selectCoins, txBytes } from '../core/coin-select.ts'
import { addressOf, CHANGE_GAP_LIMIT, DEEP_GAP_LIMIT, GAP_LIMIT, HANDOVER_LAYOUT, Keyring, keyPath, lockingScriptOf, RESTORE_LAYOUTS, type ChainLayout } from '../core/keys.ts'
import type { Network } from '../core/network.ts'
import { SpvError, verifySpv } from '../core/spv.ts'
import { buildPayment, type BuiltPayment, type PaymentOutput, type SpendableCoin } from '../core/tx-build.ts'
import { balanceOf, type Balance } from '../core/balance.ts'
import { judgeArc, type ArcVerdict } from '../core/arc-status.ts'
import { buildSweep } from '../core/tx-cancel.ts'
import { openChainDB, type ChainDB } from '../store/db.ts'
import type { AddressRecord, CoinRecord, HeaderRecord, LedgerRecord, SessionRecord, Settings } from '../store/records.ts'
import { fetchWithAncestry, loadLocalTx } from './ancestry.ts'
import {
  setLedger, writeArcNotes, writeBroadcast, writeCancel, writeIncoming, writeOutgoing, writeProof, writeRefused, writeSynced, writeUnwind,
  type IncomingArgs, type OutgoingMeta
} from './ledger-book.ts'
import { chainRate, FALLBACK_FEE_RATE, FEE_POLICY_MAX_AGE_MS, MIN_RELAY_FEE_RATE, resolveEndpoint } from './settings.ts'

export type { Balance }

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

/** What a payment would cost, before anything is signed or stored. */
export interface Quote {
  /** What the payee gets. */
  amount: number
  /** The network fee this wallet would pay (with coin selection as `prepare` does it). */
  fee: number
  /** amount + fee: what leaves the wallet. */
  total: number
  /** What the wallet can spend now. */
  spendable: number
  /** False when the wallet cannot pay amount + fee; then `total` is what it would need. */
  enough: boolean
}

export interface SyncReport {
  newCoins: number
  rejected: string[]
}

/** How far a sync or restore has got: "Checking 120 of 240 addresses…". */
export interface SyncProgress {
  /** Addresses asked about so far. */
  checked: number
  /** Addresses it will ask about, as far as it knows now (grows when coins widen a window). */
  total: number
  newCoins: number
  /** A restore (all known wallet layouts, full gap) rather than an ordinary sync. */
  restore: boolean
}

interface ChainScan {
  chain: string
  gap: number
  known: Map<number, AddressRecord>
  lastUsed: number
  highestKnown: number
  /** Next index to ask about. */
  next: number
}

/** 429s a payee's check of an incoming payment rides out before it says "try again". */
const CHECK_PATIENCE = { maxRetries: 1, maxWaitMs: 2_000 }
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

/** Lets the pacer's timers fire between slices of CPU work. */
const yieldToTimers = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, 0)) }

export class Wallet {
  private readonly listeners = new Set<() => void>()
  private outboxRun: Promise<void> | undefined
  /** Broadcasts under way, by txid: a second caller waits for the same answer (see broadcastOnce). */
  private readonly broadcasting = new Map<string, Promise<ArcVerdict>>()
  private cachedFeeRate: { rate: number, at: number } | undefined
  private policyTriedAt = 0
  /** Receive scripts given to payment codes by this tab (until their session is stored). */
  private readonly handedOut = new Set<string>()
  /** Set while a sync runs, for the screens. */
  syncProgress: SyncProgress | undefined

  private constructor (
    readonly network: Network,
    readonly db: ChainDB,
    private readonly keys: Keyring,
    readonly reader: ChainReader,
    readonly arc: ArcClient,
    readonly tracker: HeaderChainTracker,
    /** The same headers for checks a person is waiting on: it gives up on 429s within seconds. */
    private readonly checkTracker: HeaderChainTracker,
    private readonly settings: Settings,
    readonly origin: string
  ) {}

  static async open (seed: number[], settings: Settings, origin: string, dbPrefix = 'handover'): Promise<Wallet> {
    const network = settings.network
    const ep = settings.endpoints[network]
    const db = await openChainDB(network, dbPrefix)
    const reader = new ChainReader(resolveEndpoint(ep.chain, origin), ep.chainKey, { perSecond: chainRate(network, ep) })
    const headers = {
      get: async (h: number) => await db.get('headers', h),
      put: async (h: HeaderRecord) => { await db.put('headers', h) }
    }
    const tracker = new HeaderChainTracker(reader, headers)
    reader.onHeader = headers.put
    // Same service, same pacer (it counts all our requests), less patience: a payer waits.
    const checkReader = new ChainReader(reader.baseUrl, ep.chainKey, { pacer: reader.pacer, patience: CHECK_PATIENCE })
    const checkTracker = new HeaderChainTracker(checkReader, headers)
    return new Wallet(network, db, new Keyring(seed), reader, new ArcClient(resolveEndpoint(ep.arc, origin), ep.arcKey), tracker, checkTracker, settings, origin)
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
    // Public key only: a restore derives hundreds of these, and each EC multiplication counts.
    const pub = this.keys.publicKey(path)
    return { keyPath: path, chain, index, address: addressOf(pub, this.network), lockingScript: lockingScriptOf(pub), used: false }
  }

  private async addressesOf (chain: string): Promise<AddressRecord[]> {
    const all = await this.db.getAll('addresses')
    return all.filter(a => a.chain === chain).sort((a, b) => a.index - b.index)
  }

  /**
   * The receive address to show: the first that never received coins and that no open
   * payment code holds; registered so sync watches it.
   */
  async receiveAddress (): Promise<AddressRecord> {
    return await this.nextUnused(HANDOVER_LAYOUT.receive, await this.heldReceiveScripts())
  }

  private async nextUnused (chain: string, held: ReadonlySet<string> = new Set()): Promise<AddressRecord> {
    const list = await this.addressesOf(chain)
    const free = list.find(a => !a.used && !held.has(a.lockingScript))
    if (free !== undefined) return free
    const rec = this.addressRecord(chain, list.length === 0 ? 0 : list[list.length - 1]!.index + 1)
    await this.db.put('addresses', rec)
    return rec
  }

  /**
   * Receive scripts an open payment code may still be paid to: codes waiting for or handling
   * a payment, or paid. A cancelled or expired code holds nothing, so its address goes to the
   * next code instead of a fresh one: cancelled codes no longer push the addresses in use
   * past the gap a restore scans. Codes handed out in this tab whose session is not yet
   * stored count as held too.
   */
  private async heldReceiveScripts (): Promise<Set<string>> {
    const held = new Set<string>()
    const stored = new Set<string>()
    const now = Math.floor(Date.now() / 1000)
    for (const rec of await this.db.getAll('sessions')) {
      if (rec.role !== 'payee') continue
      const st = rec.state as { phase?: string, request?: { outputs?: Array<{ script?: string }>, expirationTimestamp?: number } }
      const scripts = (st.request?.outputs ?? []).map(o => o.script).filter((x): x is string => typeof x === 'string')
      for (const sc of scripts) stored.add(sc)
      const lapsed = st.phase === 'cancelled' || st.phase === 'expired' ||
        (st.phase === 'requestSent' && typeof st.request?.expirationTimestamp === 'number' && st.request.expirationTimestamp < now)
      if (!lapsed) for (const sc of scripts) held.add(sc)
    }
    for (const sc of this.handedOut) if (!stored.has(sc)) held.add(sc)
    return held
  }

  private async ownScripts (): Promise<Map<string, AddressRecord>> {
    const map = new Map<string, AddressRecord>()
    for (const a of await this.db.getAll('addresses')) map.set(a.lockingScript, a)
    return map
  }

  // ---------- reading ----------

  /** The balance line: see core/balance.ts for what each number means. */
  async balance (): Promise<Balance> {
    const coins: CoinRecord[] = []
    for (const status of ['unspent', 'pending', 'incoming'] as const) coins.push(...await this.db.getAllFromIndex('coins', 'status', status))
    return balanceOf(coins, await this.db.getAll('ledger'))
  }

  async history (): Promise<LedgerRecord[]> {
    return (await this.db.getAllFromIndex('ledger', 'createdAt')).reverse()
  }

  /**
   * The rate to PAY: settings, else the miner's policy (asked again when older than
   * FEE_POLICY_MAX_AGE_MS, remembered for offline use), else a generous fallback.
   */
  async feeRate (): Promise<number> {
    if (this.settings.feeRate !== undefined) return this.settings.feeRate
    const policy = await this.minerPolicyRate()
    return policy ?? FALLBACK_FEE_RATE
  }

  /**
   * The rate to DEMAND of a payer: the miner's policy as last learnt (never more than we pay
   * ourselves), else the network's minimum relay rate. Never the pay fallback: a payer who
   * paid the live policy must not be refused because this phone never reached its miner.
   */
  async minAcceptableFeeRate (): Promise<number> {
    const policy = await this.minerPolicyRate()
    const demand = policy ?? MIN_RELAY_FEE_RATE
    const ours = this.settings.feeRate
    return Math.max(MIN_RELAY_FEE_RATE, ours !== undefined ? Math.min(ours, demand) : demand)
  }

  /** The miner's policy rate: fresh from ARC when due and reachable, else the last one stored. */
  private async minerPolicyRate (): Promise<number | undefined> {
    if (this.cachedFeeRate !== undefined && Date.now() - this.cachedFeeRate.at < FEE_POLICY_MAX_AGE_MS) return this.cachedFeeRate.rate
    // Offline, or the miner failed us a moment ago: judging a payment must not wait on it.
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false
    if (!offline && Date.now() - this.policyTriedAt > 60_000) {
      this.policyTriedAt = Date.now()
      try {
        const rate = await this.arc.feeRate()
        this.cachedFeeRate = { rate, at: Date.now() }
        await this.db.put('meta', { key: 'feeRate', value: rate })
        return rate
      } catch { /* fall back to what we knew */ }
    }
    if (this.cachedFeeRate !== undefined) return this.cachedFeeRate.rate
    const known = (await this.db.get('meta', 'feeRate'))?.value
    return typeof known === 'number' && known >= 0 ? known : undefined
  }

  /**
   * The SPV tracker, wrapped to notice when the network is gone, so a payment checked
   * offline can still be judged on scripts and amounts, with proofs left for later.
   */
  offlineAwareTracker (): { tracker?: ChainTracker, wentOffline: () => boolean } {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return { tracker: undefined, wentOffline: () => false }
    let down = false
    const t = this.checkTracker
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
   * The fee and total of a payment, from the same coin selection and fee rate `prepare`
   * uses, without signing or storing anything: shown before the person commits.
   */
  async quote (outputs: PaymentOutput[]): Promise<Quote> {
    const rate = await this.feeRate()
    const coins = await this.db.getAllFromIndex('coins', 'status', 'unspent')
    const amount = outputs.reduce((s, o) => s + o.satoshis, 0)
    const spendable = coins.reduce((s, c) => s + c.satoshis, 0)
    try {
      const chosen = selectCoins(coins, outputs.map(o => o.lockingScript.length / 2), amount, rate)
      return { amount, fee: chosen.fee, total: amount + chosen.fee, spendable, enough: true }
    } catch (e) {
      if (!(e instanceof InsufficientFunds)) throw e
      return { amount, fee: e.needed - amount, total: e.needed, spendable, enough: false }
    }
  }

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

  /**
   * The receive output for a new payment code: an address no open code holds and that never
   * received coins. An unpaid code's address is reused once that code is cancelled or
   * expired; it is not marked used (that happens when coins arrive).
   */
  async freshReceiveOutput (): Promise<AddressRecord> {
    const rec = await this.nextUnused(HANDOVER_LAYOUT.receive, await this.heldReceiveScripts())
    this.handedOut.add(rec.lockingScript)
    return rec
  }

  // ---------- outbox ----------

  /** Broadcasts everything due. Safe to call often; runs one pass at a time. */
  async processOutbox (now = Date.now()): Promise<void> {
    if (this.outboxRun !== undefined) return await this.outboxRun
    this.outboxRun = (async () => {
      const due = (await this.db.getAll('outbox')).filter(o => o.nextAttemptAt <= now)
      for (const item of due) {
        // Sent meanwhile by its payment session (the ack deadline fires there too): done.
        if (await this.db.get('outbox', item.txid) === undefined) continue
        await this.broadcastOnce(item.txid)
      }
    })().finally(() => { this.outboxRun = undefined; this.changed() })
    return await this.outboxRun
  }

  /**
   * One broadcast attempt of a stored transaction. ARC's answer is judged by the one table
   * (core/arc-status.ts) and its meaning written to the ledger, coins and outbox before it
   * is returned (for the payment sessions).
   *
   * At a payer's ack deadline both its session and the outbox ask for the same payment: one
   * submission serves both (a concurrent call waits for it), and one the network already
   * has is not sent again.
   */
  async broadcastOnce (txid: string): Promise<ArcVerdict> {
    const running = this.broadcasting.get(txid)
    if (running !== undefined) return await running
    const attempt = this.submitOnce(txid).finally(() => { this.broadcasting.delete(txid) })
    this.broadcasting.set(txid, attempt)
    return await attempt
  }

  private async submitOnce (txid: string): Promise<ArcVerdict> {
    try {
      const rec = await this.db.get('txs', txid)
      if (rec === undefined) { await this.db.delete('outbox', txid); return { kind: 'transient', message: 'This transaction is not stored on this device.' } }
      const entry = await this.db.get('ledger', txid)
      // A payment its payee refused is never sent by us: it stays theirs to broadcast or not.
      if (entry?.status === 'refused' || entry?.status === 'cancelled') {
        await this.db.delete('outbox', txid)
        return { kind: 'transient', message: 'The payee refused this payment; it is not broadcast.' }
      }
      if (entry?.status === 'seen' || entry?.status === 'mined') {
        // Already on the network (our earlier submission, the payee's, or a status poll).
        await this.db.delete('outbox', txid)
        return { kind: 'accepted', status: entry.status, ...(entry.height !== undefined ? { blockHeight: entry.height } : {}), message: 'The network already has this payment.' }
      }
      const item = await this.db.get('outbox', txid) ?? { txid, attempts: 0, nextAttemptAt: 0 }
      await setLedger(this.db, txid, { status: 'broadcasting' })
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
  async refreshStatuses (now = Date.now(), only?: string): Promise<void> {
    const entries = (await this.db.getAll('ledger'))
      .filter(l => only === undefined || l.txid === only)
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

  /**
   * Asks the miner about one payment soon and a few times more, until the network has it:
   * a payee who acked broadcasts within seconds, and the payer's history should say so then,
   * not at the next 15-second refresh. Returns a stop function.
   */
  followSoon (txid: string, delaysMs: readonly number[] = [1_500, 4_000, 10_000, 20_000]): () => void {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const step = (i: number): void => {
      if (stopped || i >= delaysMs.length) return
      timer = setTimeout(() => {
        void (async () => {
          const entry = await this.db.get('ledger', txid).catch(() => undefined)
          if (entry === undefined || !FOLLOWED.has(entry.status) || entry.status === 'seen') return
          await this.refreshStatuses(Date.now(), txid).catch(() => undefined)
          step(i + 1)
        })()
      }, delaysMs[i])
    }
    step(0)
    return () => { stopped = true; if (timer !== undefined) clearTimeout(timer) }
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
   * Finds coins on the wallet's addresses, 20 addresses per request (the chain data
   * service's bulk endpoints), reporting progress as it goes. Each new coin's transaction is
   * fetched with its ancestry and verified (scripts, and merkle paths against block headers,
   * see core/spv.ts) before it counts.
   */
  async sync (opts: { restore?: boolean, deep?: boolean, onProgress?: (p: SyncProgress) => void } = {}): Promise<SyncReport> {
    const report: SyncReport = { newCoins: 0, rejected: [] }
    // A deep search is a restore that also looks DEEP_GAP_LIMIT addresses along our own
    // receive chain (wallets from versions that burnt an address per cancelled code).
    const restore = opts.restore === true || opts.deep === true
    const layouts: readonly ChainLayout[] = restore ? RESTORE_LAYOUTS : [HANDOVER_LAYOUT]
    const gapOf = new Map<string, number>()
    for (const l of layouts) {
      gapOf.set(l.receive, restore ? GAP_LIMIT : LOOKAHEAD)
      gapOf.set(l.change, restore ? CHANGE_GAP_LIMIT : LOOKAHEAD)
    }
    if (opts.deep === true) gapOf.set(HANDOVER_LAYOUT.receive, DEEP_GAP_LIMIT)
    for (const a of await this.db.getAll('addresses')) if (!gapOf.has(a.chain)) gapOf.set(a.chain, LOOKAHEAD)

    const scans: ChainScan[] = []
    for (const [chain, gap] of gapOf) {
      const known = await this.addressesOf(chain)
      const lastUsed = known.reduce((m, a) => a.used ? Math.max(m, a.index) : m, -1)
      scans.push({ chain, gap, known: new Map(known.map(a => [a.index, a])), lastUsed, highestKnown: known.length > 0 ? known[known.length - 1]!.index : -1, next: 0 })
    }
    const end = (c: ChainScan): number => Math.max(c.lastUsed + c.gap, c.highestKnown)
    const progress: SyncProgress = { checked: 0, total: 0, newCoins: 0, restore }
    const emit = (): void => {
      progress.total = progress.checked + scans.reduce((n, c) => n + Math.max(0, end(c) - c.next + 1), 0)
      progress.newCoins = report.newCoins
      this.syncProgress = { ...progress }
      try { opts.onProgress?.({ ...progress }) } catch { /* a view's bug must not stop a sync */ }
      this.changed()
    }
    try {
      emit()
      // Rounds: every chain's window up to its last used address + gap; a coin found far
      // along a chain widens that chain's window and the next round checks the rest.
      for (;;) {
        const due: Array<{ c: ChainScan, index: number }> = []
        for (const c of scans) {
          for (; c.next <= end(c); c.next++) due.push({ c, index: c.next })
        }
        if (due.length === 0) break
        // A bulk request costs the same for 1 address as for 20: fill the last batch with the
        // next addresses of chains that have coins, so a coin found far along a chain is
        // often reached in this round instead of the next.
        const busy = scans.filter(c => c.lastUsed >= 0)
        for (let k = 0; due.length % BULK_MAX !== 0 && busy.length > 0; k++) {
          const c = busy[k % busy.length]!
          due.push({ c, index: c.next++ })
        }
        // Every batch of the round is asked for as soon as its addresses are derived: the
        // pacer keeps requests to the rate, the derivation of the next batch runs while this
        // one waits for its slot, and round trips overlap. Results are applied in order.
        const lookups: Array<Promise<{ batch: AddressRecord[], found: Map<string, UnspentOutput[]> }>> = []
        for (let i = 0; i < due.length; i += BULK_MAX) {
          const batch: AddressRecord[] = []
          for (const { c, index } of due.slice(i, i + BULK_MAX)) {
            batch.push(c.known.get(index) ?? this.addressRecord(c.chain, index))
            if (batch.length % 4 === 0) await yieldToTimers()
          }
          const l = this.reader.unspentMany(batch.map(a => a.address)).then(found => ({ batch, found }))
          l.catch(() => undefined) // awaited below; no unhandled rejection meanwhile
          lookups.push(l)
        }
        for (const l of lookups) {
          const { batch, found } = await l
          for (const rec of batch) {
            if (await this.syncAddress(rec, found.get(rec.address) ?? [], report)) {
              const c = scans.find(x => x.chain === rec.chain)!
              c.lastUsed = Math.max(c.lastUsed, rec.index)
            }
          }
          progress.checked += batch.length
          emit()
        }
      }
    } finally {
      this.syncProgress = undefined
      this.changed()
    }
    return report
  }

  /** Applies what the network lists for one address; true when the address has been used. */
  private async syncAddress (rec: AddressRecord, utxos: UnspentOutput[], report: SyncReport): Promise<boolean> {
    const isOurs = rec.chain === HANDOVER_LAYOUT.receive || rec.chain === HANDOVER_LAYOUT.change
    if (utxos.length === 0 && !rec.used) {
      if (isOurs && await this.db.get('addresses', rec.keyPath) === undefined && rec.index === 0) await this.db.put('addresses', rec)
      return false
    }
    if (!rec.used) await this.db.put('addresses', { ...rec, used: true })
    const seen = new Set<string>()
    for (const u of utxos) {
      const id = `${u.txid}:${u.vout}`
      // Spent by a transaction in the mempool: not ours to spend any more, whoever spent it.
      if (u.spentInMempool) continue
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
        await verifySpv(tx, this.tracker)
        const height = u.height ?? tx.merklePath?.blockHeight
        await writeSynced(this.db, tx, u.vout, rec, height, height !== undefined ? await this.blockTimeMs(height) : undefined)
        report.newCoins++
      } catch (e) {
        const why = e instanceof SpvError ? `failed SPV verification: ${e.message}` : (e as Error).message
        report.rejected.push(`${id}: ${why}`)
      }
    }
    // Coins the network no longer lists (or lists as spent in the mempool) were spent
    // elsewhere (another device with this seed). Indexers lag behind a fresh broadcast, so a
    // young coin gets time before it is judged, unless the network says outright it is spent.
    const spentInMempool = new Set(utxos.filter(u => u.spentInMempool).map(u => `${u.txid}:${u.vout}`))
    for (const c of await this.db.getAllFromIndex('coins', 'status', 'unspent')) {
      if (c.lockingScript !== rec.lockingScript || seen.has(c.id)) continue
      const entry = await this.db.get('ledger', c.txid)
      const networkKnowsIt = c.height !== undefined || entry === undefined || entry.status === 'seen' || entry.status === 'mined'
      if (spentInMempool.has(c.id) || (networkKnowsIt && Date.now() - c.createdAt > INDEXER_GRACE_MS)) await this.db.put('coins', { ...c, status: 'spent' })
    }
    return true
  }

  /** When the block at `height` was made, from the header the SPV check just cached; no extra request. */
  private async blockTimeMs (height: number): Promise<number | undefined> {
    const t = (await this.db.get('headers', height).catch(() => undefined))?.time
    return t !== undefined ? t * 1000 : undefined
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

