// Messages between the main thread and verify.worker.ts. Everything here is structured-cloneable.
import type { VerificationResult, VerifyPaymentInput } from '../core/protocol/verify-payment.ts'

export type CallName = 'isValidRootForHeight' | 'currentHeight' | 'byPaymentId' | 'byTxid'

/** The cloneable part of a verification: the functions are called back by message. */
export type PlainVerifyInput = Omit<VerifyPaymentInput, 'chainTracker' | 'seen'>

export type ToWorker =
  | { readonly type: 'verify', readonly job: number, readonly input: PlainVerifyInput, readonly hasTracker: boolean, readonly hasSeen: boolean }
  | { readonly type: 'reply', readonly id: number, readonly ok: true, readonly value: unknown }
  | { readonly type: 'reply', readonly id: number, readonly ok: false, readonly error: string }

export type FromWorker =
  | { readonly type: 'call', readonly job: number, readonly id: number, readonly fn: CallName, readonly args: unknown[] }
  | { readonly type: 'done', readonly job: number, readonly result: VerificationResult }
