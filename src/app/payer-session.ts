// Paying face to face: the payee's request arrives over the link, the person confirms,
// the wallet signs, stores (coins marked spent) and only then hands the payment over.
// No ack in time? The payer broadcasts itself, so the payee still gets the money.
import type { LinkPath } from '../link/ice-evidence.ts'
import {
  outcomeOf, payerReduce, payerStart, reasonMessage, refusalMessage, verifyReceipt,
  type Message, type PayerEffect, type PayerEvent, type PayerState, type RequestMessage
} from '../core/protocol/index.ts'
import { InsufficientFunds } from '../core/coin-select.ts'
import type { LedgerRecord, SessionRecord } from '../store/records.ts'
import { delayUntil, EffectQueue } from './effect-runner.ts'
import type { MessagePipe } from './protocol-link.ts'
import type { PreparedPayment, Quote, Wallet } from './wallet.ts'
import { watchLedger } from './watch-ledger.ts'

export interface PayView {
  state?: PayerState
  peerKey: string
  sas: string
  linkMode: LinkPath | 'camera'
  /** ms to a proven link on this phone (network lab, benchmarks) */
  linkConnectMs?: number
  connected: boolean
  /** Fee of the signed payment, once signed. */
  fee?: number
  /** Fee, total and whether the wallet can pay, worked out when the request arrives (before confirming). */
  quote?: Quote
  /** True while the quote is worked out (the confirm button waits for it). */
  quoting: boolean
  error?: string
  /** The wallet's ledger entry for the signed transaction: what the network made of it. */
  ledger?: LedgerRecord
  /**
   * Earlier payments to this same payee that it refused but still holds signed: paying
   * again could pay twice (a hostile payee's new request after a refusal).
   */
  openRefusals: LedgerRecord[]
}

const nowSec = (): number => Math.floor(Date.now() / 1000)

export class PaySession {
  private state: PayerState | undefined
  private prepared: PreparedPayment | undefined
  private fee: number | undefined
  private connected = true
  private error: string | undefined
  private unsubs: Array<() => void> = []
  private timers: Array<ReturnType<typeof setTimeout>> = []
  private readonly listeners = new Set<(v: PayView) => void>()
  private readonly effects: EffectQueue<PayerEffect>
  private requestWaiters: Array<(r: RequestMessage) => void> = []
  private beginning = false
  private ledger: LedgerRecord | undefined
  private openRefusals: LedgerRecord[] = []
  private quote: Quote | undefined
  private quoting = false

  constructor (private readonly wallet: Wallet, private readonly pipe: MessagePipe, private readonly ackTimeoutSec = 30) {
    this.effects = new EffectQueue(e => this.exec(e), e => e.kind === 'persist', e => { this.error = (e as Error).message; this.emit() })
    this.unsubs.push(pipe.onMessage(m => { void this.onMessage(m) }))
    // The ledger entry moves with the outbox and status polls (refused → paid or cancelled).
    this.unsubs.push(wallet.onChange(() => { void this.readLedger() }))
    this.unsubs.push(pipe.onInvalid(e => { this.error = 'The other phone sent something invalid, which was ignored. If this keeps happening, update Handover on both phones.'; this.emit() }))
    this.unsubs.push(pipe.onClose(message => {
      this.connected = false
      const p = this.state?.phase
      if (p === undefined || p === 'requested' || p === 'confirmed') this.error = message
      this.emit()
    }))
  }

  view (): PayView {
    return { state: this.state, peerKey: this.pipe.peerKey, sas: this.pipe.sas, linkMode: this.pipe.mode, ...(this.pipe.connectMs !== undefined ? { linkConnectMs: this.pipe.connectMs } : {}), connected: this.connected, fee: this.fee, quote: this.quote, quoting: this.quoting, error: this.error, ledger: this.ledger, openRefusals: this.openRefusals }
  }

  private async readLedger (): Promise<void> {
    const txid = this.state?.txid
    if (txid === undefined) return
    const entry = await this.wallet.ledgerEntry(txid).catch(() => undefined)
    if (entry === undefined || (entry.status === this.ledger?.status && entry.updatedAt === this.ledger.updatedAt)) return
    this.ledger = entry
    this.emit()
  }

  onChange (cb: (v: PayView) => void): () => void {
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }

  private emit (): void { const v = this.view(); for (const cb of this.listeners) cb(v) }

  /** Resolves with the payee's request once it has arrived and been accepted as payable. */
  async request (): Promise<RequestMessage> {
    if (this.state !== undefined) return this.state.request
    return await new Promise(resolve => this.requestWaiters.push(resolve))
  }

  confirm (): void {
    // Signing for a phone that is gone would only leave a payment nobody can receive now.
    if (!this.connected && this.state?.phase === 'requested') {
      this.error = 'The other phone disconnected before you confirmed. Nothing was signed; ask them for a new code.'
      this.emit()
      return
    }
    // The screen hides the button then; a stale click must not sign a payment that cannot be paid.
    if (this.quote?.enough === false && this.state?.phase === 'requested') return
    this.dispatch({ type: 'confirm', nowSec: nowSec() })
  }
  cancel (): void { this.dispatch({ type: 'cancel' }) }
  broadcastNow (): void { this.dispatch({ type: 'broadcastNow', nowSec: nowSec() }) }

  /** After a refusal: take the coins back with our own spend of them (see Wallet.cancelForSure). */
  async cancelForSure (): Promise<void> {
    const txid = this.state?.txid
    if (this.state?.phase !== 'rejected' || txid === undefined) return
    try {
      await this.wallet.cancelForSure(txid)
    } catch (e) {
      this.error = (e as Error).message
    }
    await this.readLedger()
    this.emit()
  }

  close (): void {
    for (const u of this.unsubs) u()
    for (const t of this.timers) clearTimeout(t)
    this.pipe.close()
  }

  private async onMessage (m: Message): Promise<void> {
    if (m.type === 'request') {
      // The payee may send its request twice (on attach and from its queue): only the
      // first starts a session; begin() awaits storage, so guard before that await.
      if (this.state !== undefined || this.beginning) return
      this.beginning = true
      await this.begin(m)
      return
    }
    if (this.state === undefined) return
    if (m.type === 'ack' && m.paymentId === this.state.paymentId) this.dispatch({ type: 'ack', message: m })
    if (m.type === 'receipt' && m.paymentId === this.state.paymentId && this.state.txid !== undefined) {
      const ok = await verifyReceipt(m, this.state.txid, this.wallet.offlineAwareTracker().tracker)
      if (ok.ok) this.dispatch({ type: 'receipt', message: m })
    }
  }

  private async begin (request: RequestMessage): Promise<void> {
    // The request must come from the key this link proved, not merely claim one.
    if (request.payeeIdentityKey !== this.pipe.peerKey) {
      this.error = 'The payment request names a different identity than the phone you connected to. Not paying.'
      this.emit()
      this.pipe.close('identity mismatch')
      return
    }
    this.openRefusals = (await this.wallet.history()).filter(l => l.status === 'refused' && l.counterparty === this.pipe.peerKey)
    const stored = await this.wallet.session(request.paymentId)
    if (stored?.role === 'payer' && stored.peerKey !== undefined && stored.peerKey !== this.pipe.peerKey) {
      // Another phone reusing a payment id we know: never hand it what we signed for someone else.
      const why = 'This payment request reuses the id of a payment to someone else. Not paying.'
      this.error = why
      this.emit()
      this.pipe.close(why)
      return
    }
    if (stored?.role === 'payer') {
      // Re-paired for a payment we already started: carry on, never re-sign.
      this.state = stored.state as PayerState
      this.dispatch({ type: 'resume', nowSec: nowSec() })
    } else {
      const t = payerStart(request, { network: this.wallet.network, nowSec: nowSec(), ackTimeoutSec: this.ackTimeoutSec })
      this.state = t.state
      this.emit()
      this.effects.push(t.effects)
      if (t.state.phase === 'requested') {
        this.quoting = true
        this.emit()
        try {
          this.quote = await this.wallet.quote(request.outputs.map(o => ({ lockingScript: o.script, satoshis: o.satoshis })))
        } catch { /* no quote: the confirm screen says the fee is added on top */ }
        this.quoting = false
        this.emit()
      }
    }
    for (const w of this.requestWaiters) w(request)
    this.requestWaiters = []
  }

  private dispatch (event: PayerEvent): void {
    if (this.state === undefined) return
    const t = payerReduce(this.state, event)
    this.state = t.state
    this.emit()
    this.effects.push(t.effects)
  }

  private record (state: PayerState): SessionRecord {
    return { paymentId: state.paymentId, role: 'payer', state, peerKey: this.pipe.peerKey, updatedAt: Date.now() }
  }

  private async exec (e: PayerEffect): Promise<void> {
    switch (e.kind) {
      case 'persist': {
        const rec = this.record(e.state)
        if (e.coins?.op === 'markSpent') {
          const p = this.prepared
          if (p === undefined || p.built.txid !== e.coins.txid) throw new Error('The signed payment was lost before it was stored; nothing was sent.')
          await this.wallet.commitOutgoing(p, {
            counterparty: this.pipe.peerKey,
            memo: e.state.request.memo,
            session: rec,
            // The outbox broadcasts it at the ack deadline unless the payee confirms first:
            // even if this tab dies now, the payee gets paid.
            broadcastAt: Date.now() + this.ackTimeoutSec * 1000
          })
        } else if (e.coins?.op === 'hold') {
          // Refused, but the payee holds it signed: the coins stay reserved and watched.
          const why = refusalMessage(e.state.error?.code ?? 'BROADCAST_REJECTED')
          await this.wallet.markRefused(e.coins.txid, why, rec)
        } else if (e.coins?.op === 'release' || e.coins?.op === 'flag') {
          // The wallet's outbox already judged the miner's answer and moved the coins
          // (with the miner's own words); only a payment it has not judged is undone here.
          const entry = await this.wallet.ledgerEntry(e.coins.txid)
          if (entry?.status === 'failed') await this.wallet.saveSession(rec)
          else await this.wallet.unwind(e.coins.txid, e.coins.op === 'flag', e.state.error !== undefined ? reasonMessage(e.state.error.code) : 'The payment failed.', rec)
        } else {
          await this.wallet.saveSession(rec)
        }
        return
      }
      case 'showRequest':
        this.emit()
        return
      case 'buildAndSign': {
        try {
          const p = await this.wallet.prepare(e.outputs.map(o => ({ lockingScript: o.script, satoshis: o.satoshis })))
          this.prepared = p
          this.fee = p.built.fee
          this.dispatch({ type: 'signed', txid: p.built.txid, beef: p.built.tx.toHexBEEF() })
        } catch (err) {
          this.dispatch({ type: 'signFailed', code: err instanceof InsufficientFunds ? 'INSUFFICIENT_FUNDS' : 'SIGN_FAILED', detail: (err as Error).message })
        }
        return
      }
      case 'send':
        if (!this.connected) return
        await this.pipe.send(e.message)
        this.dispatch({ type: 'sent', nowSec: nowSec() })
        return
      case 'startTimer':
        this.timers.push(setTimeout(() => this.dispatch({ type: 'timer', timer: e.timer, nowSec: nowSec() }), delayUntil(e.atSec)))
        return
      case 'broadcast':
        this.dispatch({ type: 'broadcastResult', outcome: outcomeOf(await this.wallet.broadcastOnce(e.txid)), nowSec: nowSec() })
        return
      case 'watch':
        this.watch(e.txid)
        // The payee broadcasts right after its ack: learn it from the miner now.
        this.unsubs.push(this.wallet.followSoon(e.txid))
        void this.readLedger()
        return
      case 'showError':
        this.error = e.message
        this.emit()
    }
  }

  private watch (txid: string): void {
    this.unsubs.push(watchLedger(this.wallet, txid, l => {
      this.dispatch(l.status === 'mined' ? { type: 'status', status: 'mined', blockHeight: l.height } : { type: 'status', status: 'seen' })
    }))
  }
}
