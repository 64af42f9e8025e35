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

  /** Drop entries idle long enough to have refilled completely. */
  sweep (now = Date.now()): void {
    const full = this.burst / this.ratePerSec * 1000
    for (const [k, e] of this.map) if (now - e.seen > full) this.map.delete(k)
  }
}
