// Paces requests to one rate-limited service (WhatsOnChain allows ~3 requests/s without a
// key) and rides out its 429s: every request of a sync waits for its slot, and a 429 pushes
// back the whole queue by the service's Retry-After, so a sync slows down instead of failing.

export interface PacerOptions {
  /** Requests per second the service allows. */
  perSecond: number
  /** How many 429s in a row one request may meet before it gives up. */
  maxRetries?: number
  /** Cap on one wait, whatever Retry-After says (a hostile or broken header must not hang us). */
  maxWaitMs?: number
  /** For tests. */
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

/**
 * How long one caller may wait out 429s. A sync can wait minutes; a check someone is waiting
 * on (a payer holding out for the ack) must give up within seconds and say why.
 */
export interface Patience {
  maxRetries?: number
  maxWaitMs?: number
}

export class RateLimited extends Error {
  constructor (readonly attempts: number) {
    super('The chain data service keeps rate limiting us; Handover will try again later. An API key in Settings raises the limit.')
  }
}

/** Without an API key WhatsOnChain allows 3 requests/s; keyed plans start far higher. */
export const KEYLESS_RATE = 3
export const KEYED_RATE = 20

/** Slowest spacing a run of 429s can push us to. */
const MAX_GAP_MS = 2_000
/** Spacing margin over the nominal rate. */
const SAFETY = 1.04

const defaultSleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Seconds (or an HTTP date) from a Retry-After header, in ms; undefined when absent or unreadable. */
export function retryAfterMs (value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

export class Pacer {
  /** No request leaves before this (set by a 429's Retry-After). */
  private nextSlot = 0
  private lastSent = -Infinity
  private queue: Promise<void> = Promise.resolve()
  /** Current spacing; starts at the configured rate, widens on 429s, narrows back on success. */
  private gapMs: number
  private readonly baseGapMs: number
  private okStreak = 0
  private readonly maxRetries: number
  private readonly maxWaitMs: number
  private readonly sleep: (ms: number) => Promise<void>
  private readonly now: () => number
  /** Requests sent (including retries): what the service counts against us. */
  sent = 0

  constructor (opts: PacerOptions) {
    if (!(opts.perSecond > 0)) throw new Error('A request rate must be positive.')
    // A little under the limit: requests spaced exactly at it meet the service's own clock
    // jitter and draw 429s, each costing a whole second of Retry-After.
    this.baseGapMs = 1000 / opts.perSecond * SAFETY
    this.gapMs = this.baseGapMs
    this.maxRetries = opts.maxRetries ?? 8
    this.maxWaitMs = opts.maxWaitMs ?? 60_000
    this.sleep = opts.sleep ?? defaultSleep
    this.now = opts.now ?? Date.now
  }

  /**
   * Waits for the next free slot. Slots are handed out in call order (a promise chain), and
   * each is spaced from the previous request's real send time: a timer that fired late (a
   * busy tab) must not let the next request follow too closely.
   */
  private async slot (): Promise<void> {
    const prev = this.queue
    let release!: () => void
    this.queue = new Promise<void>(resolve => { release = resolve })
    await prev
    try {
      for (;;) {
        const wait = Math.max(this.lastSent + this.gapMs, this.nextSlot) - this.now()
        if (wait <= 0) break
        await this.sleep(wait)
      }
      this.lastSent = this.now()
    } finally {
      release()
    }
  }

  /**
   * Runs `send` in its slot; on 429 waits (Retry-After, else exponential backoff), holds back
   * every other queued request just as long, and tries again, up to maxRetries times.
   */
  async run (send: () => Promise<Response>, patience: Patience = {}): Promise<Response> {
    const maxRetries = patience.maxRetries ?? this.maxRetries
    const maxWaitMs = Math.min(patience.maxWaitMs ?? this.maxWaitMs, this.maxWaitMs)
    for (let attempt = 0; ; attempt++) {
      await this.slot()
      this.sent++
      const res = await send()
      if (res.status !== 429) {
        // Back towards the configured rate once the service has been happy for a while.
        if (++this.okStreak >= 20 && this.gapMs > this.baseGapMs) { this.gapMs = Math.max(this.baseGapMs, this.gapMs * 0.8); this.okStreak = 0 }
        return res
      }
      // The service's limit is below our rate (a wrong setting, a shared IP): slow down for
      // good, not only for this Retry-After, or every burst after it draws 429s again.
      this.okStreak = 0
      this.gapMs = Math.min(MAX_GAP_MS, this.gapMs * 1.5)
      // Drain the body so the connection can be reused.
      await res.arrayBuffer().catch(() => undefined)
      if (attempt >= maxRetries) throw new RateLimited(attempt + 1)
      const backoff = Math.min(maxWaitMs, 500 * 2 ** attempt)
      const wait = Math.min(maxWaitMs, Math.max(retryAfterMs(res.headers.get('retry-after'), this.now()) ?? backoff, this.gapMs))
      // The service is counting all our requests, not this one: everybody waits.
      this.nextSlot = Math.max(this.nextSlot, this.now() + wait)
    }
  }
}

const shared = new Map<string, Pacer>()

/**
 * One pacer per service and key, shared by every reader of it in this tab (the wallet's,
 * a reopened wallet's, the header tracker's), since the service counts them together.
 */
export function pacerFor (baseUrl: string, apiKey: string | undefined, perSecond?: number): Pacer {
  const keyed = apiKey !== undefined && apiKey !== ''
  const rate = perSecond ?? (keyed ? KEYED_RATE : KEYLESS_RATE)
  const id = `${baseUrl}\n${keyed ? 'key' : 'nokey'}\n${rate}`
  let p = shared.get(id)
  if (p === undefined) { p = new Pacer({ perSecond: rate }); shared.set(id, p) }
  return p
}
