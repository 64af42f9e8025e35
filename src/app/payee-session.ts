// Receiving face to face: a request with a fresh output goes to the payer over the link;
// the payment that comes back is verified, stored, acknowledged and broadcast.
import type { LinkPath } from '../link/ice-evidence.ts'
import { Utils } from '@bsv/sdk'
import {
  outcomeOf, isAccepted, payeeReduce, recheckProofs, rejectAck, payeeStart, reasonMessage, verifyPayment,
  type Decision, type Message, type PayeeEffect, type PayeeEvent, type PayeeState, type RequestMessage, type SeenPayments
} from '../core/protocol/index.ts'
import type { SessionRecord } from '../store/records.ts'
import { delayUntil, EffectQueue } from './effect-runner.ts'
import type { MessagePipe } from './protocol-link.ts'
import { loadLocalTx } from './ancestry.ts'
import { HEADER_RETRY_DELAYS_MS, patientTracker } from './patient-tracker.ts'
import { verifyInWorker, warmVerifier } from './verify-in-worker.ts'
import { watchLedger } from './watch-ledger.ts'
import type { Wallet } from './wallet.ts'

export interface ReceiveView {
  state: PayeeState
  peerKey?: string
  sas?: string
  linkMode?: LinkPath | 'camera'
  /** ms to a proven link on this phone (network lab, benchmarks) */
  linkConnectMs?: number
  connected: boolean
  /** Merkle proofs of the payment's history: checked at verification, or later once online. */
  proofs?: 'verified' | 'unchecked' | 'bad'
  /** Last problem, in words. */
  error?: string
}

const nowSec = (): number => Math.floor(Date.now() / 1000)

export class ReceiveSession {
  private state: PayeeState
  private pipe: MessagePipe | undefined
  private unsubs: Array<() => void> = []
  private timers: Array<ReturnType<typeof setTimeout>> = []
  private readonly listeners = new Set<(v: ReceiveView) => void>()
  private error: string | undefined
  private proofs: 'verified' | 'bad' | undefined
  private readonly effects: EffectQueue<PayeeEffect>
  /** The last payer this request was linked to, kept after the link drops: the ledger names who paid. */
  private peerKey: string | undefined
  /** The payment came (or is to come) by camera: see SessionRecord.byCamera. */
  private byCamera = false

  private constructor (private readonly wallet: Wallet, state: PayeeState) {
    this.state = state
    this.effects = new EffectQueue(e => this.exec(e), e => e.kind === 'persist', e => { this.error = (e as Error).message; this.emit() })
  }

  /** A new request for `satoshis` to a fresh address of ours. */
  static async create (wallet: Wallet, args: { satoshis: number, memo?: string, expiresInSec?: number }): Promise<ReceiveSession> {
    if (!Number.isSafeInteger(args.satoshis) || args.satoshis < 1) throw new Error('Enter an amount of at least 1 satoshi.')
    const out = await wallet.freshReceiveOutput()
    const paymentId = Utils.toHex(Array.from(crypto.getRandomValues(new Uint8Array(16))))
    const created = nowSec()
    const memo = args.memo?.trim()
    const request: RequestMessage = {
      v: 1,
      type: 'request',
      id: `request:${paymentId}`,
      paymentId,
      network: wallet.network,
      outputs: [{ script: out.lockingScript, satoshis: args.satoshis }],
      ...(memo !== undefined && memo !== '' ? { memo: memo.slice(0, 200) } : {}),
      creationTimestamp: created,
      expirationTimestamp: created + (args.expiresInSec ?? 15 * 60),
      payeeIdentityKey: wallet.identityKey().toPublicKey().toString()
    }
    const t = payeeStart(request)
    warmVerifier()
    const s = new ReceiveSession(wallet, t.state)
    s.effects.push(t.effects)
    return s
  }

  /** Picks up a stored session (after a reload) so a re-paired payer can finish it. */
  static resume (wallet: Wallet, rec: SessionRecord): ReceiveSession {
    const s = new ReceiveSession(wallet, rec.state as PayeeState)
    s.peerKey = rec.peerKey
    s.byCamera = rec.byCamera === true
    warmVerifier()
    s.dispatch({ type: 'resume', nowSec: nowSec() })
    return s
  }

  get paymentId (): string { return this.state.paymentId }
  get request (): RequestMessage { return this.state.request }

  view (): ReceiveView {
    return { state: this.state, peerKey: this.pipe?.peerKey ?? this.peerKey, sas: this.pipe?.sas, linkMode: this.pipe?.mode, ...(this.pipe?.connectMs !== undefined ? { linkConnectMs: this.pipe.connectMs } : {}), connected: this.pipe !== undefined, proofs: this.proofs ?? this.state.proofs, error: this.error }
  }

  onChange (cb: (v: ReceiveView) => void): () => void {
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }

  private emit (): void { const v = this.view(); for (const cb of this.listeners) cb(v) }

  /** Attaches a connected link: the request (or the current ack) goes out at once. */
  attach (pipe: MessagePipe): void {
    this.detach()
    this.pipe = pipe
    if (pipe.mode === 'camera' && this.state.phase === 'requestSent') this.byCamera = true
    if (this.peerKey !== pipe.peerKey && this.state.phase === 'requestSent') {
      // Stored with the request before any payment: if this phone dies now and the payer
      // broadcasts by itself, the coin sync finds is still recorded as from this payer.
      this.peerKey = pipe.peerKey
      this.effects.push([{ kind: 'persist', state: this.state }])
    }
    this.peerKey ??= pipe.peerKey
    this.unsubs.push(pipe.onMessage(m => this.onMessage(m)))
    this.unsubs.push(pipe.onInvalid(e => {
      // A payment we cannot read still gets an answer when we can tell it was one, so the
      // payer is not left waiting. (Past the size cap the type is unread: no ack is possible.)
      if (e.type === 'payment' && e.paymentId === this.state.paymentId) {
        void pipe.send(rejectAck(e.paymentId, e.reason, undefined, e.message)).catch(() => undefined)
      }
      this.error = 'The other phone sent something invalid, which was ignored. If this keeps happening, update Handover on both phones.'
      this.emit()
    }))
    this.unsubs.push(pipe.onClose(message => {
      if (this.pipe === pipe) this.pipe = undefined
      // A closed link matters only while the payment is still to come.
      if (!isAccepted(this.state) && this.state.phase !== 'rejected') this.error = message
      this.emit()
    }))
    const resend = this.state.phase === 'requestSent' ? this.state.request : this.state.ack
    if (resend !== undefined) void pipe.send(resend).catch(() => undefined)
    this.emit()
  }

  /** A new code is shown for the same request: the old link's trouble is history. */
  clearError (): void {
    this.error = undefined
    this.emit()
  }

  private detach (): void {
    for (const u of this.unsubs) u()
    this.unsubs = []
  }

  cancel (): void { this.dispatch({ type: 'cancel' }) }

  /**
   * The person closed the screen showing our answer by camera: a reopened app no longer
   * brings it back (the payer filmed it, or its outbox broadcasts at its deadline).
   */
  answerShown (): void {
    if (!this.byCamera || !isAccepted(this.state)) return
    this.byCamera = false
    this.effects.push([{ kind: 'persist', state: this.state }])
  }

  close (): void {
    this.detach()
    for (const t of this.timers) clearTimeout(t)
    this.pipe?.close()
    this.pipe = undefined
  }

  private onMessage (m: Message): void {
    if (m.type === 'payment') this.dispatch({ type: 'payment', message: m })
  }

  private dispatch (event: PayeeEvent): void {
    const t = payeeReduce(this.state, event)
    this.state = t.state
    this.emit()
    this.effects.push(t.effects)
  }

  private record (state: PayeeState): SessionRecord {
    return { paymentId: state.paymentId, role: 'payee', state, peerKey: this.pipe?.peerKey ?? this.peerKey, ...(this.byCamera ? { byCamera: true as const } : {}), updatedAt: Date.now() }
  }

  private async exec (e: PayeeEffect): Promise<void> {
    switch (e.kind) {
      case 'persist': {
        const rec = this.record(e.state)
        if (e.record?.op === 'storeIncoming') {
          await this.wallet.storeIncoming({ txid: e.record.txid, beef: e.record.beef, counterparty: this.pipe?.peerKey ?? this.peerKey, memo: this.state.request.memo, session: rec })
          this.dispatch({ type: 'persisted' })
        } else if (e.record?.op === 'markFailed') {
          await this.wallet.unwind(e.record.txid, false, reasonMessage(e.record.reason), rec)
        } else {
          await this.wallet.saveSession(rec)
        }
        return
      }
      case 'send':
        // Without a link the message waits: attach() re-sends the current request or ack.
        if (this.pipe !== undefined) await this.pipe.send(e.message).catch(() => undefined)
        return
      case 'verify': {
        const result = await this.verify(e.payment)
        this.dispatch({ type: 'verified', payment: e.payment, result })
        return
      }
      case 'broadcast':
        this.dispatch({ type: 'broadcastResult', outcome: outcomeOf(await this.wallet.broadcastOnce(e.txid)), nowSec: nowSec() })
        return
      case 'startTimer':
        this.timers.push(setTimeout(() => this.dispatch({ type: 'timer', timer: e.timer, nowSec: nowSec() }), delayUntil(e.atSec)))
        return
      case 'watch':
        this.watch(e.txid)
        return
      case 'showError':
        this.error = e.message
        this.emit()
    }
  }

  private async verify (payment: Parameters<typeof verifyPayment>[0]['payment']): ReturnType<typeof verifyPayment> {
    const seen: SeenPayments = {
      byPaymentId: async id => {
        const s = await this.wallet.session(id)
        const st = s?.state as PayeeState | undefined
        return st?.ack !== undefined && s?.role === 'payee' && id !== this.state.paymentId ? decisionFromAck(st) : undefined
      },
      byTxid: async txid => {
        // Which request did this transaction pay? Answer with that request's id, so a
        // payment replayed under another request's id is refused, not taken for a resend.
        const sessions = await this.wallet.sessions()
        const paid = sessions.find(r => r.role === 'payee' && (r.state as PayeeState).txid === txid && (r.state as PayeeState).ack?.accepted === true)
        if (paid !== undefined) return { paymentId: paid.paymentId, accepted: true, txid }
        const l = await this.wallet.ledgerEntry(txid)
        // Known to the wallet some other way (sync, another request): never a resend of this one.
        return l !== undefined && l.direction === 'in' ? { paymentId: `ledger:${txid}`, accepted: true, txid } : undefined
      }
    }
    const base = { request: this.state.request, payment, network: this.wallet.network, nowSec: nowSec(), feeRateSatPerKb: await this.wallet.minAcceptableFeeRate(), seen }
    // Online, proofs are checked against headers, asking again if the service is busy; if
    // it still cannot answer the payment is refused (PROOFS_UNAVAILABLE), never taken on
    // trust. Only when the device is really offline (navigator.onLine, or a request that
    // got no answer at all) are scripts and amounts checked alone and the proofs wait.
    // The checking runs in a worker with a time budget: the screen stays responsive.
    const tracker = this.wallet.offlineAwareTracker()
    const chainTracker = tracker.tracker === undefined
      ? undefined
      : patientTracker(tracker.tracker, { delaysMs: HEADER_RETRY_DELAYS_MS, offline: tracker.wentOffline })
    const online = await verifyInWorker({ ...base, chainTracker })
    if (tracker.wentOffline()) return await verifyInWorker(base)
    return online
  }

  /** A payment accepted offline gets its history proofs checked once the network is back. */
  private async recheckProofs (): Promise<void> {
    const payment = this.state.payment
    if (this.state.proofs !== 'unchecked' || this.proofs !== undefined || payment === undefined) return
    const tracker = this.wallet.offlineAwareTracker()
    const r = await recheckProofs(payment.beef, tracker.tracker)
    if (tracker.wentOffline() || (r.ok && r.proofs === 'unchecked')) return
    this.proofs = r.ok ? 'verified' : 'bad'
    if (!r.ok) this.error = `The payer's history proofs do not match the chain (${r.detail}).`
    this.emit()
  }

  private watch (txid: string): void {
    void this.recheckProofs()
    this.unsubs.push(watchLedger(this.wallet, txid, async l => {
      if (l.status === 'seen') { if (this.state.phase !== 'seen') this.dispatch({ type: 'status', status: 'seen' }); return }
      const tx = await loadLocalTx(this.wallet.db, txid)
      this.dispatch({ type: 'status', status: 'mined', blockHeight: l.height, merklePath: tx?.merklePath?.toHex() })
    }))
  }
}

function decisionFromAck (st: PayeeState): Decision | undefined {
  const ack = st.ack
  if (ack === undefined) return undefined
  return ack.accepted ? { paymentId: ack.paymentId, accepted: true, txid: ack.txid } : { paymentId: ack.paymentId, accepted: false, reason: ack.reason }
}

