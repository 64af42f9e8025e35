import { judgeArc, type ArcAnswer, type ArcVerdict } from '../arc-status.ts'
import type { ReasonCode } from './reasons.ts'

/**
 * What a broadcast attempt means for a payment session. It is derived from the one ARC
 * table (core/arc-status.ts) that the wallet's outbox also uses, so the session and the
 * coins never disagree about an answer.
 */
export type BroadcastOutcome =
  /** `sent`: ARC holds it and it may still be mined (in progress, orphan, double-spend attempt). */
  | { readonly kind: 'accepted', readonly status: 'sent' | 'seen' | 'mined', readonly blockHeight?: number, readonly detail?: string }
  /** Not decided: offline, rate-limited, server trouble, wrong settings. Keep the tx and try again. */
  | { readonly kind: 'retry', readonly detail: string }
  | { readonly kind: 'rejected', readonly reason: ReasonCode, readonly doubleSpend: boolean, readonly detail: string }

/** Raw ARC answer fields (kept under this name for the sessions and tests). */
export type ArcFacts = ArcAnswer

export function outcomeOf (v: ArcVerdict): BroadcastOutcome {
  switch (v.kind) {
    case 'accepted':
      return { kind: 'accepted', status: v.status, ...(v.blockHeight !== undefined ? { blockHeight: v.blockHeight } : {}) }
    case 'in-progress':
      return { kind: 'accepted', status: 'sent', ...(v.warning ? { detail: v.message } : {}) }
    case 'failed':
      return { kind: 'rejected', reason: v.reason, doubleSpend: v.doubleSpend, detail: v.message }
    case 'transient':
    case 'config':
    case 'unknown':
      return { kind: 'retry', detail: v.message }
  }
}

/** A submit answer judged by the shared table; `expectedTxid` defaults to the answer's own. */
export function classifyArc (a: ArcAnswer, expectedTxid = a.txid ?? ''): BroadcastOutcome {
  return outcomeOf(judgeArc(a, expectedTxid, 'submit'))
}

/** Seconds until the next attempt: 5 s doubling to 10 min, deterministic (no jitter handed in). */
export function retryDelaySec (attempts: number): number {
  return Math.min(600, 5 * 2 ** Math.min(Math.max(0, attempts - 1), 7))
}
