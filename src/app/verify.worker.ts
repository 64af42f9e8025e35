// The payee's verification, off the main thread: a payment whose checks take seconds must
// not freeze the screen. The chain tracker and the "seen before" lookups stay on the main
// thread (they use the network and IndexedDB there); the worker calls them by message.
import type { ChainTracker } from '@bsv/sdk'
import { verifyPayment, type SeenPayments } from '../core/protocol/verify-payment.ts'
import type { CallName, FromWorker, ToWorker } from './verify-worker-protocol.ts'

const scope = self as unknown as { postMessage: (m: FromWorker) => void, onmessage: ((e: MessageEvent<ToWorker>) => void) | null }
const pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
let nextCall = 0

async function call (job: number, fn: CallName, args: unknown[]): Promise<unknown> {
  const id = ++nextCall
  return await new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
    scope.postMessage({ type: 'call', job, id, fn, args })
  })
}

scope.onmessage = (e) => {
  const m = e.data
  if (m.type === 'reply') {
    const p = pending.get(m.id)
    pending.delete(m.id)
    if (m.ok) p?.resolve(m.value)
    else p?.reject(new Error(m.error))
    return
  }
  const { job, input, hasTracker, hasSeen } = m
  const chainTracker: ChainTracker | undefined = hasTracker
    ? {
        isValidRootForHeight: async (root, height) => await call(job, 'isValidRootForHeight', [root, height]) as boolean,
        currentHeight: async () => await call(job, 'currentHeight', []) as number
      }
    : undefined
  const seen: SeenPayments | undefined = hasSeen
    ? {
        byPaymentId: async id => await call(job, 'byPaymentId', [id]) as ReturnType<SeenPayments['byTxid']>,
        byTxid: async id => await call(job, 'byTxid', [id]) as ReturnType<SeenPayments['byTxid']>
      }
    : undefined
  void verifyPayment({ ...input, ...(chainTracker !== undefined ? { chainTracker } : {}), ...(seen !== undefined ? { seen } : {}) })
    .then(result => { scope.postMessage({ type: 'done', job, result }) })
}
