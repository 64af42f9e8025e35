// Token buckets: cheap enough to keep one per socket and one per client address.

export class TokenBucket {
  private tokens: number
  private last: number
  constructor (private readonly ratePerSec: number, private readonly burst: number, now = Date.now()) {
    this.tokens = burst
    this.last = now
  }

  take (n = 1, now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / 1000 * this.ratePerSec)
    this.last = now
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }

  /**
   * Takes `n` even when that runs the bucket into debt; returns how long (ms) the
   * caller should wait before the next take would be covered. For backpressure:
   * the bytes already arrived, so they are delivered and the sender is paused.
   */
  debit (n: number, now = Date.now()): number {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / 1000 * this.ratePerSec)
    this.last = now
    this.tokens -= n
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens / this.ratePerSec * 1000)
  }
}

/** Buckets keyed by client address, forgotten after they have been idle a while. */
export class KeyedBuckets {
  private readonly map = new Map<string, { bucket: TokenBucket, seen: number }>()
  constructor (private readonly ratePerSec: number, private readonly burst: number) {}

  take (key: string, n = 1, now = Date.now()): boolean {
    let e = this.map.get(key)
    if (e === undefined) {
      e = { bucket: new TokenBucket(this.ratePerSec, this.burst, now), seen: now }
      this.map.set(key, e)
    }
    e.seen = now
    return e.bucket.take(n, now)
  }

  /** See TokenBucket.debit. */
  debit (key: string, n: number, now = Date.now()): number {
    let e = this.map.get(key)
    if (e === undefined) {
      e = { bucket: new TokenBucket(this.ratePerSec, this.burst, now), seen: now }
      this.map.set(key, e)
    }
    e.seen = now
    return e.bucket.debit(n, now)
  }

  /** Drop entries idle long enough to have refilled completely. */
  sweep (now = Date.now()): void {
    const full = this.burst / this.ratePerSec * 1000
    // An entry in debt is kept until it would have paid it off as well.
    for (const [k, e] of this.map) if (now - e.seen > full && e.bucket.debit(0, now) === 0) this.map.delete(k)
  }
}
