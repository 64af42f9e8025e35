import { ReasonCode } from './reasons.ts'

/**
 * What a broadcast attempt means for a payment, independent of which client made it.
 * The chain layer reports raw ARC facts; both state machines consume this.
 */
export type BroadcastOutcome =
  | { readonly kind: 'accepted', readonly status: 'sent' | 'seen' | 'mined', readonly blockHeight?: number }
  /** Not decided: offline, rate-limited, server trouble. Keep the tx and try again. */
  | { readonly kind: 'retry', readonly detail: string }
  | { readonly kind: 'rejected', readonly reason: ReasonCode, readonly doubleSpend: boolean, readonly detail: string }

export interface ArcFacts {
  /** HTTP status; undefined when the request never got an answer. */
  readonly httpStatus?: number
  /** `txStatus` from an ARC TransactionResponse. */
  readonly txStatus?: string
  readonly extraInfo?: string
  readonly blockHeight?: number
}

// ARC's 46x codes (doc/errors.md) mapped onto our reasons.
const ARC_CODES: Readonly<Record<number, ReasonCode>> = {
  460: ReasonCode.MALFORMED, // not extended format
  461: ReasonCode.INVALID_SIGNATURE,
  462: ReasonCode.BROADCAST_REJECTED, // inputs invalid
  463: ReasonCode.MALFORMED,
  464: ReasonCode.BROADCAST_REJECTED, // outputs invalid
  465: ReasonCode.INSUFFICIENT_FEE,
  466: ReasonCode.DOUBLE_SPEND,
  467: ReasonCode.MISSING_ANCESTRY,
  468: ReasonCode.BAD_PROOF,
  469: ReasonCode.BAD_PROOF,
  471: ReasonCode.BROADCAST_REJECTED, // frozen input (policy)
  472: ReasonCode.BROADCAST_REJECTED, // frozen input (consensus)
  473: ReasonCode.INSUFFICIENT_FEE, // cumulative fee
  474: ReasonCode.TOO_LARGE,
  475: ReasonCode.MISSING_ANCESTRY
}

const PROGRESSING = new Set(['QUEUED', 'RECEIVED', 'STORED', 'ANNOUNCED_TO_NETWORK', 'REQUESTED_BY_NETWORK', 'SENT_TO_NETWORK',
  // An orphan usually means a parent is still on its way; it resolves by itself or
  // surfaces later as a rejection. Same for a block that lost a race.
  'SEEN_IN_ORPHAN_MEMPOOL', 'MINED_IN_STALE_BLOCK'])

export function classifyArc (f: ArcFacts): BroadcastOutcome {
  const detail = [f.httpStatus, f.txStatus, f.extraInfo].filter(x => x !== undefined && x !== '').join(' ')
  const status = f.httpStatus
  if (status === undefined || status >= 500 || status === 401 || status === 403 || status === 404 || status === 408 || status === 429) {
    return { kind: 'retry', detail: detail === '' ? 'no answer from the miner' : detail }
  }
  if (status >= 200 && status < 300) {
    const s = (f.txStatus ?? '').toUpperCase()
    if (s === 'MINED') return { kind: 'accepted', status: 'mined', ...(f.blockHeight !== undefined ? { blockHeight: f.blockHeight } : {}) }
    if (s === 'SEEN_ON_NETWORK' || s === 'ACCEPTED_BY_NETWORK') return { kind: 'accepted', status: 'seen' }
    if (s === 'DOUBLE_SPEND_ATTEMPTED') return { kind: 'rejected', reason: ReasonCode.DOUBLE_SPEND, doubleSpend: true, detail }
    if (s === 'REJECTED' || s === 'INVALID' || s === 'MALFORMED') return { kind: 'rejected', reason: ReasonCode.BROADCAST_REJECTED, doubleSpend: false, detail }
    if (PROGRESSING.has(s)) return { kind: 'accepted', status: 'sent' }
    return { kind: 'retry', detail }
  }
  const reason = ARC_CODES[status] ?? ReasonCode.BROADCAST_REJECTED
  return { kind: 'rejected', reason, doubleSpend: reason === ReasonCode.DOUBLE_SPEND, detail }
}

/** Seconds until the next attempt: 5 s doubling to 10 min, deterministic (no jitter handed in). */
export function retryDelaySec (attempts: number): number {
  return Math.min(600, 5 * 2 ** Math.min(Math.max(0, attempts - 1), 7))
}
