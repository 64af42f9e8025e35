// Runs the payee's verification in a Web Worker with a time budget, so a payment that is
// costly to check can neither freeze the screen nor keep the phone busy: past the budget
// the worker is killed and the payment refused as TOO_COSTLY. The core's own cost meter
// normally refuses such a payment first; this is the backstop for whatever it misjudges.
import { ReasonCode, reasonMessage, verifyPayment, type VerificationResult, type VerifyPaymentInput } from '../core/protocol/index.ts'
import type { CallName, FromWorker, PlainVerifyInput, ToWorker } from './verify-worker-protocol.ts'

/**
 * Worker compute time allowed for one payment. Time spent waiting for the main thread
 * (header lookups over the network, IndexedDB) does not count: a slow network is not a
 * costly payment.
 */
export const VERIFY_BUDGET_MS = 5_000

function tooCostly (paymentId: string, detail: string): VerificationResult {
  return { kind: 'rejected', paymentId, reason: ReasonCode.TOO_COSTLY, message: reasonMessage(ReasonCode.TOO_COSTLY), detail }
}

function errorText (e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

async function answer (input: VerifyPaymentInput, fn: CallName, args: unknown[]): Promise<unknown> {
  const t = input.chainTracker
  const s = input.seen
  switch (fn) {
    case 'isValidRootForHeight':
      if (t === undefined) throw new Error('no chain tracker')
      return await t.isValidRootForHeight(String(args[0]), Number(args[1]))
    case 'currentHeight':
      if (t === undefined) throw new Error('no chain tracker')
      return await t.currentHeight()
    case 'byPaymentId':
      return await s?.byPaymentId(String(args[0]))
    case 'byTxid':
      return await s?.byTxid(String(args[0]))
  }
}

class Verifier {
  private worker: Worker | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private jobs = 0

  /** Starts the worker ahead of need, so the first payment does not wait for it to load. */
  warm (): void {
    if (typeof Worker !== 'undefined') this.worker ??= this.spawn()
  }

  async verify (input: VerifyPaymentInput, budgetMs: number): Promise<VerificationResult> {
    // Without Worker (Node tests), the core's cost meter is the only bound.
    if (typeof Worker === 'undefined') return await verifyPayment(input)
    // One at a time: the budget is the worker's own time.
    const run = this.queue.then(async () => await this.run(input, budgetMs))
    this.queue = run.catch(() => undefined)
    try {
      return await run
    } catch {
      // No worker could be started (a browser without module workers): check here, still
      // bounded by the core's cost meter, rather than leave the payer without an answer.
      return await verifyPayment(input)
    }
  }

  private spawn (): Worker {
    return new Worker(new URL('./verify.worker.ts', import.meta.url), { type: 'module', name: 'verify-payment' })
  }

  private kill (w: Worker): void {
    w.terminate()
    if (this.worker === w) this.worker = undefined
  }

  private async run (input: VerifyPaymentInput, budgetMs: number): Promise<VerificationResult> {
    const w = this.worker ?? this.spawn()
    this.worker = w
    const job = ++this.jobs
    const { chainTracker, seen, ...plain } = input
    return await new Promise<VerificationResult>(resolve => {
      let remaining = budgetMs
      let since = performance.now()
      let timer: ReturnType<typeof setTimeout> | undefined
      let waiting = 0
      let done = false
      const arm = (): void => { since = performance.now(); timer = setTimeout(expire, Math.max(0, remaining)) }
      const pause = (): void => { clearTimeout(timer); remaining -= performance.now() - since }
      const finish = (r: VerificationResult): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        w.removeEventListener('message', onMessage)
        w.removeEventListener('error', onError)
        resolve(r)
      }
      const expire = (): void => {
        this.kill(w)
        finish(tooCostly(input.payment.paymentId, `checking took more than ${budgetMs} ms`))
      }
      const onError = (e: ErrorEvent): void => {
        // A worker that dies (out of memory, most likely) was handed too much to check.
        this.kill(w)
        finish(tooCostly(input.payment.paymentId, `the checker stopped: ${e.message}`))
      }
      const onMessage = (e: MessageEvent<FromWorker>): void => {
        const m = e.data
        if (m.job !== job || done) return
        if (m.type === 'done') { finish(m.result); return }
        if (waiting++ === 0) pause()
        void answer(input, m.fn, m.args).then(
          (value): ToWorker => ({ type: 'reply', id: m.id, ok: true, value }),
          (err: unknown): ToWorker => ({ type: 'reply', id: m.id, ok: false, error: errorText(err) })
        ).then(reply => {
          if (done) return
          if (--waiting === 0) arm()
          w.postMessage(reply)
        })
      }
      w.addEventListener('message', onMessage)
      w.addEventListener('error', onError)
      const msg: ToWorker = { type: 'verify', job, input: plain satisfies PlainVerifyInput, hasTracker: chainTracker !== undefined, hasSeen: seen !== undefined }
      w.postMessage(msg)
      arm()
    })
  }
}

const verifier = new Verifier()

export function warmVerifier (): void { verifier.warm() }

export async function verifyInWorker (input: VerifyPaymentInput, budgetMs = VERIFY_BUDGET_MS): Promise<VerificationResult> {
  return await verifier.verify(input, budgetMs)
}
