// A chain tracker that asks again when the chain data service fails while we are online
// (HTTP 429 rate limits, 5xx): a busy service is not a reason to skip the proof check,
// nor to refuse a good payment at the first hiccup.
import type { ChainTracker } from '@bsv/sdk'

export interface PatienceOptions {
  /** Waits before each retry; their count is the number of retries. */
  readonly delaysMs: readonly number[]
  /** True once the device is known to be offline: no point asking again. */
  readonly offline: () => boolean
  readonly sleep?: (ms: number) => Promise<void>
}

/** Two retries within about three seconds: the payer is standing there waiting. */
export const HEADER_RETRY_DELAYS_MS: readonly number[] = [700, 2_000]

const defaultSleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

export function patientTracker (t: ChainTracker, opts: PatienceOptions): ChainTracker {
  const sleep = opts.sleep ?? defaultSleep
  const patiently = async <R>(fn: () => Promise<R>): Promise<R> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn()
      } catch (e) {
        const delay = opts.delaysMs[attempt]
        if (delay === undefined || opts.offline()) throw e
        await sleep(delay)
        if (opts.offline()) throw e
      }
    }
  }
  return {
    isValidRootForHeight: async (root, height) => await patiently(async () => await t.isValidRootForHeight(root, height)),
    currentHeight: async () => await patiently(async () => await t.currentHeight())
  }
}
