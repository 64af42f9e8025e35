import type { BroadcastOutcome } from './broadcast-outcome.ts'
import { retryDelaySec } from './broadcast-outcome.ts'
import type { AckMessage, Network, Output, PaymentMessage, ReceiptMessage, RequestMessage } from './messages.ts'
import { describeReason, ReasonCode, reasonMessage } from './reasons.ts'

/**
 * The payer's side of one face-to-face payment as a pure reducer.
 *
 * Effects are data, executed by the app in order. Contract: an effect of kind
 * `persist` must be durable before the next effect runs, and if it fails the rest are
 * dropped. That is what makes "the signed tx is stored and its coins marked spent
 * before anything leaves the device" a property of the effect list, not of timing.
 *
 * The one rule that keeps coins safe: once signed, a payment is never re-signed and
 * never abandoned; it is handed over or, failing an ack, broadcast by the payer.
 */

export type PayerPhase =
  | 'requested' // request shown, waiting for the user
  | 'confirmed' // user said yes; building and signing
  | 'signed' // signed tx + spent coins durable; handing over
  | 'handedOver' // payment sent, waiting for the ack
  | 'acked' // payee accepted and will broadcast
  | 'rejected' // payee refused; it holds the signed tx, so the coins stay reserved and the txid is watched
  | 'selfBroadcast' // no ack in time (or user asked): we broadcast it ourselves
  | 'broadcast' // known to the network
  | 'mined'
  | 'cancelled' // ended before signing; nothing was spent
  | 'failed' // miner refused; coins released, or flagged on a double spend

export { PAYER_TERMINAL } from './phases.ts'

export function payerInFlight (phase: PayerPhase): boolean {
  return phase === 'confirmed' || phase === 'signed'
}

export interface PayerError {
  readonly code: ReasonCode
  readonly detail?: string
}

/** JSON-serializable: this is what gets stored in IndexedDB. */
export interface PayerState {
  readonly phase: PayerPhase
  readonly paymentId: string
  readonly request: RequestMessage
  readonly network: Network
  readonly ackTimeoutSec: number
  /** Exactly what was (or will be) sent, so a resend is byte-identical. */
  readonly payment?: PaymentMessage
  readonly txid?: string
  readonly ackDeadlineSec?: number
  readonly ack?: AckMessage
  readonly broadcastAttempts: number
  readonly blockHeight?: number
  readonly error?: PayerError
}

/**
 * `hold`: the payee refused a payment it holds signed. Nothing comes back: the coins stay
 * reserved until that transaction is mined (paid) or provably dead ("Cancel for sure").
 */
export type CoinOp = 'markSpent' | 'release' | 'flag' | 'hold'

export type PayerEffect =
  /** Durable write of `state`; with `coins`, in the same storage transaction. */
  | { readonly kind: 'persist', readonly state: PayerState, readonly coins?: { readonly op: CoinOp, readonly txid: string } }
  | { readonly kind: 'showRequest', readonly request: RequestMessage }
  | { readonly kind: 'buildAndSign', readonly paymentId: string, readonly outputs: Output[] }
  | { readonly kind: 'send', readonly message: PaymentMessage }
  | { readonly kind: 'startTimer', readonly timer: PayerTimer, readonly atSec: number }
  | { readonly kind: 'broadcast', readonly txid: string, readonly beef: string }
  | { readonly kind: 'watch', readonly txid: string }
  | { readonly kind: 'showError', readonly code: ReasonCode, readonly message: string }

export type PayerTimer = 'ack' | 'retry'

export type PayerEvent =
  | { readonly type: 'confirm', readonly nowSec: number }
  | { readonly type: 'cancel' }
  | { readonly type: 'signed', readonly txid: string, readonly beef: string, readonly memo?: string }
  | { readonly type: 'signFailed', readonly code: 'INSUFFICIENT_FUNDS' | 'SIGN_FAILED', readonly detail?: string }
  /** The `send` effect put the payment on the channel. */
  | { readonly type: 'sent', readonly nowSec: number }
  | { readonly type: 'ack', readonly message: AckMessage }
  | { readonly type: 'timer', readonly timer: PayerTimer, readonly nowSec: number }
  /** The user chose to broadcast without waiting for the payee. */
  | { readonly type: 'broadcastNow', readonly nowSec: number }
  | { readonly type: 'broadcastResult', readonly outcome: BroadcastOutcome, readonly nowSec: number }
  /** From watching the chain. */
  | { readonly type: 'status', readonly status: 'seen' | 'mined', readonly blockHeight?: number }
  /** A receipt the app has already checked with `verifyReceipt`. */
  | { readonly type: 'receipt', readonly message: ReceiptMessage }
  /** After a reload or a reconnect. */
  | { readonly type: 'resume', readonly nowSec: number }

export interface PayerTransition {
  readonly state: PayerState
  readonly effects: PayerEffect[]
}

export interface PayerStartOptions {
  readonly network: Network
  readonly nowSec: number
  /** How long to wait for an ack before broadcasting ourselves. */
  readonly ackTimeoutSec?: number
}

export const DEFAULT_ACK_TIMEOUT_SEC = 30

const stay = (state: PayerState): PayerTransition => ({ state, effects: [] })

function fail (state: PayerState, phase: PayerPhase, code: ReasonCode, detail?: string, coins?: CoinOp): PayerTransition {
  const next: PayerState = { ...state, phase, error: { code, ...(detail !== undefined ? { detail } : {}) } }
  return {
    state: next,
    effects: [
      { kind: 'persist', state: next, ...(coins !== undefined && state.txid !== undefined ? { coins: { op: coins, txid: state.txid } } : {}) },
      { kind: 'showError', code, message: reasonMessage(code) }
    ]
  }
}

/** A received request becomes a session, unless it cannot be paid at all. */
export function payerStart (request: RequestMessage, opts: PayerStartOptions): PayerTransition {
  const state: PayerState = {
    phase: 'requested',
    paymentId: request.paymentId,
    request,
    network: opts.network,
    ackTimeoutSec: opts.ackTimeoutSec ?? DEFAULT_ACK_TIMEOUT_SEC,
    broadcastAttempts: 0
  }
  if (request.network !== opts.network) return fail(state, 'cancelled', ReasonCode.WRONG_NETWORK, `request is for ${request.network}`)
  if (opts.nowSec > request.expirationTimestamp) return fail(state, 'cancelled', ReasonCode.EXPIRED)
  return { state, effects: [{ kind: 'persist', state }, { kind: 'showRequest', request }] }
}

function handOver (state: PayerState, nowSec: number | undefined): PayerEffect[] {
  if (state.payment === undefined) return []
  const effects: PayerEffect[] = [{ kind: 'send', message: state.payment }]
  if (nowSec !== undefined) effects.push({ kind: 'startTimer', timer: 'ack', atSec: state.ackDeadlineSec ?? nowSec + state.ackTimeoutSec })
  return effects
}

function selfBroadcast (state: PayerState): PayerTransition {
  if (state.txid === undefined || state.payment === undefined) return stay(state)
  const next: PayerState = { ...state, phase: 'selfBroadcast', broadcastAttempts: state.broadcastAttempts + 1 }
  return { state: next, effects: [{ kind: 'persist', state: next }, { kind: 'broadcast', txid: state.txid, beef: state.payment.beef }] }
}

function onAck (state: PayerState, ack: AckMessage): PayerTransition {
  if (ack.paymentId !== state.paymentId) return stay(state)
  if (ack.accepted) {
    if (ack.txid !== state.txid) {
      // Never accept "paid" for a transaction we did not sign: keep ours and let the
      // timeout broadcast it.
      return { state, effects: [{ kind: 'showError', code: ReasonCode.PROTOCOL_VIOLATION, message: reasonMessage(ReasonCode.PROTOCOL_VIOLATION) }] }
    }
    if (state.phase === 'selfBroadcast') {
      const next: PayerState = { ...state, ack }
      return { state: next, effects: [{ kind: 'persist', state: next }] }
    }
    const next: PayerState = { ...state, phase: 'acked', ack }
    return { state: next, effects: [{ kind: 'persist', state: next }, { kind: 'watch', txid: ack.txid }] }
  }
  // A refusal while we already broadcast changes nothing: the miner decides now.
  if (state.phase === 'selfBroadcast') {
    const next: PayerState = { ...state, ack }
    return { state: next, effects: [{ kind: 'persist', state: next }] }
  }
  // The payee has our signed transaction and may broadcast it despite the refusal:
  // never release its coins on its word, and never sign another one for this payment.
  // The reason texts speak to a payee ("no money has moved, let them pay again"): here that
  // is exactly what a hostile payee wants the payer to believe, so say what is true instead.
  const next: PayerState = { ...state, ack, phase: 'rejected', error: { code: ack.reason, ...(ack.detail !== undefined ? { detail: ack.detail } : {}) } }
  const effects: PayerEffect[] = [
    { kind: 'persist', state: next, ...(state.txid !== undefined ? { coins: { op: 'hold' as const, txid: state.txid } } : {}) },
    { kind: 'showError', code: ack.reason, message: refusalMessage(ack.reason) }
  ]
  if (state.txid !== undefined) effects.push({ kind: 'watch', txid: state.txid })
  return { state: next, effects }
}

/** What a payer is told when the payee refuses a payment it already holds signed. */
export function refusalMessage (code: ReasonCode): string {
  return `The payee refused: ${describeReason(code).what} But they hold the signed payment and could still broadcast it, so do not pay again: its coins stay reserved until it is mined (then you paid) or you cancel it for sure.`
}

function onBroadcastResult (state: PayerState, outcome: BroadcastOutcome, nowSec: number): PayerTransition {
  switch (outcome.kind) {
    case 'accepted': {
      const phase: PayerPhase = outcome.status === 'mined' ? 'mined' : 'broadcast'
      const next: PayerState = { ...state, phase, ...(outcome.blockHeight !== undefined ? { blockHeight: outcome.blockHeight } : {}) }
      const effects: PayerEffect[] = [{ kind: 'persist', state: next }]
      if (phase === 'broadcast' && state.txid !== undefined) effects.push({ kind: 'watch', txid: state.txid })
      return { state: next, effects }
    }
    case 'retry':
      return { state, effects: [{ kind: 'startTimer', timer: 'retry', atSec: nowSec + retryDelaySec(state.broadcastAttempts) }] }
    case 'rejected':
      // A double spend means those coins went elsewhere: flag them for the user rather
      // than offering them again. Any other refusal leaves them unspent: release.
      return fail(state, 'failed', outcome.reason, outcome.detail, outcome.doubleSpend ? 'flag' : 'release')
  }
}

export function payerReduce (state: PayerState, event: PayerEvent): PayerTransition {
  const p = state.phase
  switch (event.type) {
    case 'confirm': {
      if (p !== 'requested') return stay(state)
      if (event.nowSec > state.request.expirationTimestamp) return fail(state, 'cancelled', ReasonCode.EXPIRED)
      const next: PayerState = { ...state, phase: 'confirmed' }
      return { state: next, effects: [{ kind: 'persist', state: next }, { kind: 'buildAndSign', paymentId: state.paymentId, outputs: state.request.outputs }] }
    }
    case 'cancel': {
      // After signing the payment may already be with the payee: no way back.
      if (p !== 'requested' && p !== 'confirmed') return stay(state)
      const next: PayerState = { ...state, phase: 'cancelled' }
      return { state: next, effects: [{ kind: 'persist', state: next }] }
    }
    case 'signFailed':
      if (p !== 'confirmed') return stay(state)
      return fail(state, 'cancelled', event.code, event.detail)
    case 'signed': {
      if (p !== 'confirmed') return stay(state)
      const payment: PaymentMessage = {
        v: 1,
        type: 'payment',
        id: `payment:${state.paymentId}`,
        paymentId: state.paymentId,
        beef: event.beef,
        ...(event.memo !== undefined ? { memo: event.memo } : {})
      }
      const next: PayerState = { ...state, phase: 'signed', txid: event.txid, payment }
      return {
        state: next,
        effects: [
          { kind: 'persist', state: next, coins: { op: 'markSpent', txid: event.txid } },
          { kind: 'send', message: payment }
        ]
      }
    }
    case 'sent': {
      if (p !== 'signed') return stay(state)
      const next: PayerState = { ...state, phase: 'handedOver', ackDeadlineSec: state.ackDeadlineSec ?? event.nowSec + state.ackTimeoutSec }
      return { state: next, effects: [{ kind: 'persist', state: next }, { kind: 'startTimer', timer: 'ack', atSec: next.ackDeadlineSec ?? event.nowSec }] }
    }
    case 'ack':
      if (p !== 'signed' && p !== 'handedOver' && p !== 'selfBroadcast') return stay(state)
      return onAck(state, event.message)
    case 'timer':
      if (event.timer === 'ack' && (p === 'signed' || p === 'handedOver')) return selfBroadcast(state)
      if (event.timer === 'retry' && p === 'selfBroadcast') return selfBroadcast(state)
      return stay(state)
    case 'broadcastNow':
      if (p === 'signed' || p === 'handedOver' || p === 'acked' || p === 'selfBroadcast') return selfBroadcast(state)
      return stay(state)
    case 'broadcastResult':
      if (p !== 'selfBroadcast') return stay(state)
      return onBroadcastResult(state, event.outcome, event.nowSec)
    case 'status': {
      // 'rejected' too: a refused payment the payee broadcast anyway was paid after all.
      if (p !== 'acked' && p !== 'selfBroadcast' && p !== 'broadcast' && p !== 'rejected') return stay(state)
      if (event.status === 'seen' && p === 'broadcast') return stay(state)
      const phase: PayerPhase = event.status === 'mined' ? 'mined' : 'broadcast'
      const next: PayerState = { ...state, phase, ...(event.blockHeight !== undefined ? { blockHeight: event.blockHeight } : {}) }
      return { state: next, effects: [{ kind: 'persist', state: next }] }
    }
    case 'receipt': {
      if (event.message.paymentId !== state.paymentId || event.message.txid !== state.txid) return stay(state)
      if (p !== 'acked' && p !== 'selfBroadcast' && p !== 'broadcast') return stay(state)
      const next: PayerState = { ...state, phase: 'mined', blockHeight: event.message.blockHeight }
      return { state: next, effects: [{ kind: 'persist', state: next }] }
    }
    case 'resume':
      return resume(state, event.nowSec)
  }
}

/** What to do after a reload or reconnect, from whatever phase was stored. */
function resume (state: PayerState, nowSec: number): PayerTransition {
  switch (state.phase) {
    case 'requested':
      if (nowSec > state.request.expirationTimestamp) return fail(state, 'cancelled', ReasonCode.EXPIRED)
      return { state, effects: [{ kind: 'showRequest', request: state.request }] }
    case 'confirmed':
      // Nothing durable happened yet (a signature is only real once persisted with
      // its coins), so signing again cannot spend a coin twice.
      if (nowSec > state.request.expirationTimestamp) return fail(state, 'cancelled', ReasonCode.EXPIRED)
      return { state, effects: [{ kind: 'buildAndSign', paymentId: state.paymentId, outputs: state.request.outputs }] }
    case 'signed':
    case 'handedOver': {
      if (state.ackDeadlineSec !== undefined && nowSec >= state.ackDeadlineSec) return selfBroadcast(state)
      return { state, effects: handOver(state, nowSec) }
    }
    case 'selfBroadcast':
      return selfBroadcast(state)
    case 'acked':
    case 'broadcast':
      return state.txid !== undefined ? { state, effects: [{ kind: 'watch', txid: state.txid }] } : stay(state)
    case 'rejected':
      // Still watched: the payee may broadcast what it refused.
      return state.txid !== undefined ? { state, effects: [{ kind: 'watch', txid: state.txid }] } : stay(state)
    case 'mined':
    case 'cancelled':
    case 'failed':
      return stay(state)
  }
}
