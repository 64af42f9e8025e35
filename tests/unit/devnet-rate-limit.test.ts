// The WhatsOnChain-like limiter on a fake clock: exact refill, Retry-After, keys at 10×.
import { describe, expect, it } from 'vitest'
import { KEY_MULTIPLIER, RateLimiter, rateLimitFromEnv } from '../../server/devnet/rate-limit.ts'

describe('devnet rate limiter', () => {
  it('allows a burst, then one request per 1/rate seconds, and says how long to wait', () => {
    let now = 1_000_000
    const rl = new RateLimiter({ perSecond: 3 }, () => now)
    expect([rl.take('a', false), rl.take('a', false), rl.take('a', false)]).toEqual([0, 0, 0])
    expect(rl.take('a', false)).toBe(1) // Retry-After: 1 s
    now += 334 // one token back after 1/3 s
    expect(rl.take('a', false)).toBe(0)
    expect(rl.take('a', false)).toBe(1)
    // Another client has its own bucket.
    expect(rl.take('b', false)).toBe(0)
  })

  it('gives a keyed client ten times the rate and burst', () => {
    let now = 0
    const rl = new RateLimiter({ perSecond: 2, burst: 2 }, () => now)
    let allowed = 0
    while (rl.take('a', true) === 0) allowed++
    expect(allowed).toBe(2 * KEY_MULTIPLIER)
    now += 100 // 2 tokens at 20/s
    expect(rl.take('a', true)).toBe(0)
    expect(rl.take('a', true)).toBe(0)
    expect(rl.take('a', true)).toBeGreaterThan(0)
    // Without the key the same address is still limited at the plain rate.
    expect(rl.take('a', false)).toBe(0)
  })

  it('reads HANDOVER_DEVNET_CHAIN_RPS, unset meaning unlimited', () => {
    expect(rateLimitFromEnv({})).toBeUndefined()
    expect(rateLimitFromEnv({ HANDOVER_DEVNET_CHAIN_RPS: '3' })).toEqual({ perSecond: 3 })
    expect(() => rateLimitFromEnv({ HANDOVER_DEVNET_CHAIN_RPS: 'fast' })).toThrow(/positive number/)
    expect(() => new RateLimiter({ perSecond: 0 })).toThrow()
  })
})
