import type { BroadcastOutcome } from './broadcast-outcome.ts'
import { retryDelaySec } from './broadcast-outcome.ts'
import type { AckAccepted, AckMessage, AckRejected, BroadcastStatus, Network, PaymentMessage, ReceiptMessage, RequestMessage } from './messages.ts'
import { ReasonCode, reasonMessage } from './reasons.ts'
import type { ProofStatus, VerificationResult } from './verify-payment.ts'

/**
 * The payee's side of one face-to-face payment as a pure reducer.
 *
 * Same effect contract as the payer: effects run in order and a `persist` must be
 * durable before the next one runs. Hence the ack that says "accepted" is always
 * preceded by the write that stores the payment and its outbox entry.
 *
 * Phases versus the plain-language flow: `verified` is what is on disk once the payment
 * is persisted (the write that stores the payment also stores this phase), so
 * "persisted" and "verified" are one durable step; `acked` covers "ack sent, broadcast
 * in flight" (a broadcast is never held back waiting for the payer to receive the ack,
 * so a dropped link cannot delay the payee's money).
 */

export type PayeePhase =
  | 'requestSent' // waiting for the payment
  | 'paymentReceived' // verifying (memory only)
  | 'verified' // accepted; payment + outbox write in flight, then durable
  | 'acked' // ack sent; broadcast in flight
  | 'queued' // offline or miner busy: in the outbox, retried automatically
  | 'broadcast' // miner took it
  | 'seen' // on the network
  | 'mined'
  | 'rejected' // we refused the payment; wallet untouched
  | 'failed' // accepted, but the miner refused it (e.g. the payer double-spent)
  | 'expired' // no acceptable payment before expiry
  | 'cancelled'

export const PAYEE_TERMINAL: readonly PayeePhase[] = ['mined', 'rejected', 'failed', 'expired', 'cancelled']

/** JSON-serializable: this is what gets stored in IndexedDB. */
export interface PayeeState {
  readonly phase: PayeePhase
  readonly paymentId: string
  readonly request: RequestMessage
  /** The payment we accepted (or last refused), to recognise a resend. */
  readonly payment?: PaymentMessage
  readonly txid?: string
  /** The decision as sent; resent verbatim apart from the fresher broadcast status. */
  readonly ack?: AckMessage
  readonly proofs?: ProofStatus
  readonly receivedSatoshis?: number
  readonly broadcastAttempts: number
  readonly blockHeight?: number
  readonly error?: { readonly code: ReasonCode, readonly detail?: string }
}

export type IncomingRecord =
  /** Store the payment in the ledger and its tx in the outbox, with the session. */
  | { readonly op: 'storeIncoming', readonly txid: string, readonly beef: string, readonly satoshis: number, readonly proofs: ProofStatus }
  | { readonly op: 'markFailed', readonly txid: string, readonly reason: ReasonCode }
  | { readonly op: 'markMined', readonly txid: string, readonly blockHeight?: number }

export type PayeeEffect =
  | { readonly kind: 'persist', readonly state: PayeeState, readonly record?: IncomingRecord }
  | { readonly kind: 'send', readonly message: RequestMessage | AckMessage | ReceiptMessage }
  | { readonly kind: 'verify', readonly payment: PaymentMessage }
  | { readonly kind: 'broadcast', readonly txid: string, readonly beef: string }
  | { readonly kind: 'startTimer', readonly timer: 'retry', readonly atSec: number }
  | { readonly kind: 'watch', readonly txid: string }
  | { readonly kind: 'showError', readonly code: ReasonCode, readonly message: string }

export type PayeeEvent =
  | { readonly type: 'payment', readonly message: PaymentMessage }
  /** The outcome of the `verify` effect, with the payment it judged. */
  | { readonly type: 'verified', readonly payment: PaymentMessage, readonly result: VerificationResult }
  /** The persist effect for `verified` is durable. */
  | { readonly type: 'persisted' }
  | { readonly type: 'broadcastResult', readonly outcome: BroadcastOutcome, readonly nowSec: number }
  | { readonly type: 'timer', readonly timer: 'retry', readonly nowSec: number }
  | { readonly type: 'status', readonly status: 'seen' | 'mined', readonly blockHeight?: number, readonly merklePath?: string }
  /** Clock tick while waiting, so an unpaid request expires. */
  | { readonly type: 'tick', readonly nowSec: number }
  | { readonly type: 'cancel' }
  /** After a reload or a reconnect. */
  | { readonly type: 'resume', readonly nowSec: number }

export interface PayeeTransition {
  readonly state: PayeeState
  readonly effects: PayeeEffect[]
}

const stay = (state: PayeeState): PayeeTransition => ({ state, effects: [] })

const ACCEPTED_PHASES: readonly PayeePhase[] = ['verified', 'acked', 'queued', 'broadcast', 'seen', 'mined', 'failed']

function broadcastStatusOf (phase: PayeePhase): BroadcastStatus {
  switch (phase) {
    case 'queued': return 'queued'
    case 'broadcast': return 'sent'
    case 'seen': return 'seen'
    case 'mined': return 'mined'
    case 'failed': return 'failed'
    default: return 'pending'
  }
}

export function rejectAck (paymentId: string, reason: ReasonCode, txid?: string, detail?: string): AckRejected {
  return {
    v: 1,
    type: 'ack',
    id: `ack:${paymentId}`,
    paymentId,
    accepted: false,
    reason,
    ...(txid !== undefined ? { txid } : {}),
    ...(detail !== undefined ? { detail: detail.slice(0, 500) } : {})
  }
}

/** The stored ack, refreshed with what we now know about the broadcast. */
function currentAck (state: PayeeState): AckMessage | undefined {
  const ack = state.ack
  if (ack === undefined || !ack.accepted) return ack
  return { ...ack, broadcast: broadcastStatusOf(state.phase) }
}

/** Start a session for a request the app created (fresh output, expiry, network). */
export function payeeStart (request: RequestMessage): PayeeTransition {
  const state: PayeeState = { phase: 'requestSent', paymentId: request.paymentId, request, broadcastAttempts: 0 }
  return { state, effects: [{ kind: 'persist', state }, { kind: 'send', message: request }] }
}

function onPayment (state: PayeeState, payment: PaymentMessage): PayeeTransition {
  if (payment.paymentId !== state.paymentId) {
    return { state, effects: [{ kind: 'send', message: rejectAck(payment.paymentId, ReasonCode.UNKNOWN_REQUEST) }] }
  }
  const p = state.phase
  if (p === 'paymentReceived' || p === 'verified') return stay(state) // answer is on its way
  if (p === 'requestSent') {
    return { state: { ...state, phase: 'paymentReceived' }, effects: [{ kind: 'verify', payment }] }
  }
  if (p === 'rejected') {
    // The identical payment gets the identical answer; a new one is checked afresh. So is
    // the same one refused only because the chain could not be asked: that may pass now.
    const transient = state.ack?.accepted === false && state.ack.reason === ReasonCode.PROOFS_UNAVAILABLE
    if (state.payment?.beef === payment.beef && state.ack !== undefined && !transient) return { state, effects: [{ kind: 'send', message: state.ack }] }
    return { state: { ...state, phase: 'paymentReceived' }, effects: [{ kind: 'verify', payment }] }
  }
  if (p === 'expired' || p === 'cancelled') {
    return { state, effects: [{ kind: 'send', message: rejectAck(state.paymentId, ReasonCode.EXPIRED) }] }
  }
  // Accepted already. A resend gets the same decision; another tx for a paid request
  // is refused, naming the tx that did pay it.
  const ack = currentAck(state)
  if (ack === undefined) return stay(state)
  if (state.payment?.beef === payment.beef) return { state, effects: [{ kind: 'send', message: ack }] }
  return { state, effects: [{ kind: 'send', message: rejectAck(state.paymentId, ReasonCode.DUPLICATE, state.txid, 'request already paid') }] }
}

function onVerified (state: PayeeState, result: VerificationResult, payment: PaymentMessage): PayeeTransition {
  switch (result.kind) {
    case 'accepted': {
      const ack: AckAccepted = { v: 1, type: 'ack', id: `ack:${state.paymentId}`, paymentId: state.paymentId, accepted: true, txid: result.txid, broadcast: 'pending' }
      const next: PayeeState = {
        ...state,
        phase: 'verified',
        payment,
        txid: result.txid,
        ack,
        proofs: result.proofs,
        receivedSatoshis: result.receivedSatoshis
      }
      return {
        state: next,
        effects: [{
          kind: 'persist',
          state: next,
          record: { op: 'storeIncoming', txid: result.txid, beef: payment.beef, satoshis: result.receivedSatoshis, proofs: result.proofs }
        }]
      }
    }
    case 'rejected': {
      const ack = rejectAck(state.paymentId, result.reason, result.txid, result.detail)
      const next: PayeeState = { ...state, phase: 'rejected', payment, ack, error: { code: result.reason, detail: result.detail } }
      return {
        state: next,
        effects: [
          { kind: 'persist', state: next },
          { kind: 'send', message: ack },
          { kind: 'showError', code: result.reason, message: result.message }
        ]
      }
    }
    case 'duplicate': {
      // Our session lost track but the ledger remembers: repeat that decision.
      const prior = result.prior
      const ack: AckMessage = prior.accepted && prior.txid !== undefined
        ? { v: 1, type: 'ack', id: `ack:${state.paymentId}`, paymentId: state.paymentId, accepted: true, txid: prior.txid, broadcast: 'pending' }
        : rejectAck(state.paymentId, prior.reason ?? ReasonCode.DUPLICATE, prior.txid)
      return { state: { ...state, phase: prior.accepted ? 'requestSent' : 'rejected' }, effects: [{ kind: 'send', message: ack }] }
    }
  }
}

function ackAndBroadcast (state: PayeeState): PayeeTransition {
  const ack = state.ack
  if (state.txid === undefined || state.payment === undefined || ack === undefined) return stay(state)
  const next: PayeeState = { ...state, phase: 'acked', broadcastAttempts: state.broadcastAttempts + 1 }
  return {
    state: next,
    effects: [
      // Ack first: the payer is waiting in front of us; the miner can take 100s of ms.
      { kind: 'send', message: currentAck(next) ?? ack },
      { kind: 'persist', state: next },
      { kind: 'broadcast', txid: state.txid, beef: state.payment.beef }
    ]
  }
}

function rebroadcast (state: PayeeState): PayeeTransition {
  if (state.txid === undefined || state.payment === undefined) return stay(state)
  const next: PayeeState = { ...state, broadcastAttempts: state.broadcastAttempts + 1 }
  return { state: next, effects: [{ kind: 'persist', state: next }, { kind: 'broadcast', txid: state.txid, beef: state.payment.beef }] }
}

function onBroadcastResult (state: PayeeState, outcome: BroadcastOutcome, nowSec: number): PayeeTransition {
  switch (outcome.kind) {
    case 'accepted': {
      const phase: PayeePhase = outcome.status === 'mined' ? 'mined' : outcome.status === 'seen' ? 'seen' : 'broadcast'
      const next: PayeeState = { ...state, phase, ...(outcome.blockHeight !== undefined ? { blockHeight: outcome.blockHeight } : {}) }
      const effects: PayeeEffect[] = [{ kind: 'persist', state: next }]
      if (phase !== 'mined' && state.txid !== undefined) effects.push({ kind: 'watch', txid: state.txid })
      return { state: next, effects }
    }
    case 'retry': {
      const next: PayeeState = { ...state, phase: 'queued' }
      return { state: next, effects: [{ kind: 'persist', state: next }, { kind: 'startTimer', timer: 'retry', atSec: nowSec + retryDelaySec(state.broadcastAttempts) }] }
    }
    case 'rejected': {
      const next: PayeeState = { ...state, phase: 'failed', error: { code: outcome.reason, detail: outcome.detail } }
      const effects: PayeeEffect[] = [{ kind: 'persist', state: next, ...(state.txid !== undefined ? { record: { op: 'markFailed' as const, txid: state.txid, reason: outcome.reason } } : {}) }]
      effects.push({ kind: 'showError', code: outcome.reason, message: reasonMessage(outcome.reason) })
      return { state: next, effects }
    }
  }
}

function onStatus (state: PayeeState, status: 'seen' | 'mined', blockHeight?: number, merklePath?: string): PayeeTransition {
  if (status === 'seen') {
    if (state.phase === 'seen') return stay(state)
    const next: PayeeState = { ...state, phase: 'seen' }
    return { state: next, effects: [{ kind: 'persist', state: next }] }
  }
  const next: PayeeState = { ...state, phase: 'mined', ...(blockHeight !== undefined ? { blockHeight } : {}) }
  const effects: PayeeEffect[] = [{
    kind: 'persist',
    state: next,
    ...(state.txid !== undefined ? { record: { op: 'markMined' as const, txid: state.txid, ...(blockHeight !== undefined ? { blockHeight } : {}) } } : {})
  }]
  if (merklePath !== undefined && blockHeight !== undefined && state.txid !== undefined) {
    effects.push({ kind: 'send', message: { v: 1, type: 'receipt', id: `receipt:${state.paymentId}`, paymentId: state.paymentId, txid: state.txid, merklePath, blockHeight } })
  }
  return { state: next, effects }
}

function expire (state: PayeeState): PayeeTransition {
  const next: PayeeState = { ...state, phase: 'expired', error: { code: ReasonCode.EXPIRED } }
  return { state: next, effects: [{ kind: 'persist', state: next }, { kind: 'showError', code: ReasonCode.EXPIRED, message: reasonMessage(ReasonCode.EXPIRED) }] }
}

export function payeeReduce (state: PayeeState, event: PayeeEvent): PayeeTransition {
  const p = state.phase
  switch (event.type) {
    case 'payment':
      return onPayment(state, event.message)
    case 'verified': {
      if (p !== 'paymentReceived') return stay(state)
      if (event.result.paymentId !== state.paymentId || event.payment.paymentId !== state.paymentId) return stay(state)
      return onVerified(state, event.result, event.payment)
    }
    case 'persisted':
      if (p !== 'verified') return stay(state)
      return ackAndBroadcast(state)
    case 'broadcastResult':
      if (p !== 'acked' && p !== 'queued') return stay(state)
      return onBroadcastResult(state, event.outcome, event.nowSec)
    case 'timer':
      if (p !== 'queued') return stay(state)
      return rebroadcast(state)
    case 'status':
      if (p !== 'acked' && p !== 'queued' && p !== 'broadcast' && p !== 'seen') return stay(state)
      return onStatus(state, event.status, event.blockHeight, event.merklePath)
    case 'tick':
      if (p === 'requestSent' && event.nowSec > state.request.expirationTimestamp) return expire(state)
      return stay(state)
    case 'cancel': {
      if (p !== 'requestSent' && p !== 'rejected') return stay(state)
      const next: PayeeState = { ...state, phase: 'cancelled' }
      return { state: next, effects: [{ kind: 'persist', state: next }] }
    }
    case 'resume':
      return resume(state, event.nowSec)
  }
}

function resume (state: PayeeState, nowSec: number): PayeeTransition {
  switch (state.phase) {
    case 'requestSent':
      if (nowSec > state.request.expirationTimestamp) return expire(state)
      return { state, effects: [{ kind: 'send', message: state.request }] }
    case 'paymentReceived':
      // The verdict was never stored; the payer resends on reconnect and we verify again.
      return resume({ ...state, phase: state.ack?.accepted === false ? 'rejected' : 'requestSent' }, nowSec)
    case 'verified':
    case 'acked':
      // On disk this means "payment stored": the ack and the broadcast may not have happened.
      return ackAndBroadcast(state)
    case 'queued':
      return rebroadcast(state)
    case 'broadcast':
    case 'seen':
      return state.txid !== undefined ? { state, effects: [{ kind: 'watch', txid: state.txid }] } : stay(state)
    case 'rejected':
    case 'mined':
    case 'failed':
    case 'expired':
    case 'cancelled':
      return stay(state)
  }
}

export function isAccepted (state: PayeeState): boolean {
  return ACCEPTED_PHASES.includes(state.phase)
}
