// Script evaluation for the devnet, in a worker with a time budget: a CPU-bomb script would
// otherwise freeze the whole server (app, devnet, signalling) on its one event loop. One
// persistent worker, one job at a time; a job over budget terminates the worker (the only
// way to stop synchronous JS) and a fresh one takes the next job.
import { Worker } from 'node:worker_threads'

export interface ScriptJob {
  rawTx: string
  /** The outputs the inputs spend, in input order. */
  sources: Array<{ satoshis: number, script: string }>
}

export type ScriptVerdict = { ok: true } | { ok: false, input: number, reason: string }

const WORKER_URL = new URL('./script-worker.mjs', import.meta.url)

export class ScriptChecker {
  private worker: Worker | undefined
  private tail: Promise<unknown> = Promise.resolve()
  private nextId = 1

  constructor (readonly budgetMs = 5_000) {}

  check (job: ScriptJob): Promise<ScriptVerdict> {
    const run = async (): Promise<ScriptVerdict> => await this.runOne(job)
    const next = this.tail.then(run, run)
    this.tail = next.catch(() => undefined)
    return next
  }

  private runOne (job: ScriptJob): Promise<ScriptVerdict> {
    if (this.worker === undefined) {
      this.worker = new Worker(WORKER_URL)
      this.worker.unref()
    }
    const worker = this.worker
    const id = this.nextId++
    return new Promise(resolve => {
      const done = (v: ScriptVerdict): void => {
        clearTimeout(timer)
        worker.off('message', onMessage)
        worker.off('error', onError)
        resolve(v)
      }
      const onMessage = (m: { id: number } & ScriptVerdict): void => {
        if (m.id !== id) return
        done(m.ok ? { ok: true } : { ok: false, input: m.input, reason: m.reason })
      }
      const onError = (e: Error): void => {
        this.worker = undefined
        done({ ok: false, input: -1, reason: `script check failed: ${e.message}`.slice(0, 300) })
      }
      const timer = setTimeout(() => {
        this.worker = undefined
        void worker.terminate()
        done({ ok: false, input: -1, reason: `script evaluation exceeded the ${this.budgetMs} ms budget` })
      }, this.budgetMs)
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.postMessage({ id, ...job })
    })
  }

  async close (): Promise<void> {
    const w = this.worker
    this.worker = undefined
    if (w !== undefined) await w.terminate()
  }
}
