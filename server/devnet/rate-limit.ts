// WhatsOnChain's request limit (about 3 requests/s per client without a key; a key raises
// it): a token bucket per client address and key, so a test can see its client pace itself,
// honour Retry-After and back off.

export interface RateLimitOptions {
  /** Requests per second without an API key. */
  perSecond: number
  /** Bucket size (defaults to perSecond). */
  burst?: number
}

interface Bucket { tokens: number, at: number }

/** Clients with an Authorization key get this many times the rate, as WoC API keys do. */
export const KEY_MULTIPLIER = 10
const MAX_BUCKETS = 10_000

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  constructor (private readonly opts: RateLimitOptions, private readonly now: () => number = Date.now) {
    if (!(opts.perSecond > 0)) throw new RangeError('perSecond must be > 0')
  }

  /** 0 when the request may go ahead, else the seconds to wait (for Retry-After). */
  take (client: string, keyed: boolean): number {
    const rate = this.opts.perSecond * (keyed ? KEY_MULTIPLIER : 1)
    const burst = (this.opts.burst ?? this.opts.perSecond) * (keyed ? KEY_MULTIPLIER : 1)
    const id = `${keyed ? 'k' : 'a'}:${client}`
    const t = this.now()
    let b = this.buckets.get(id)
    if (b === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear()
      b = { tokens: burst, at: t }
      this.buckets.set(id, b)
    }
    b.tokens = Math.min(burst, b.tokens + (t - b.at) / 1000 * rate)
    b.at = t
    if (b.tokens >= 1) { b.tokens -= 1; return 0 }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate))
  }
}

/** HANDOVER_DEVNET_CHAIN_RPS (unset or empty: unlimited). */
export function rateLimitFromEnv (env: Record<string, string | undefined>): RateLimitOptions | undefined {
  const raw = env.HANDOVER_DEVNET_CHAIN_RPS
  if (raw === undefined || raw.trim() === '') return undefined
  const perSecond = Number(raw)
  if (!(perSecond > 0)) throw new Error(`HANDOVER_DEVNET_CHAIN_RPS must be a positive number, not ${raw}`)
  return { perSecond }
}
