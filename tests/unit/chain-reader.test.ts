// The chain-data client against WhatsOnChain's documented answers (tests/fixtures/woc/h2-*.json):
// unconfirmed items without height, outputs spent in the mempool, paging, bulk requests, and
// a service that rate limits with 429 + Retry-After.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ChainReader, ChainDataError } from '../../src/chain/chain-reader.ts'
import { Pacer, retryAfterMs } from '../../src/chain/pacer.ts'

interface Fixture { source: string, status: number, headers: Record<string, string>, body: unknown }
const fixture = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../fixtures/woc/${name}.json`, import.meta.url), 'utf8')) as Fixture
const reply = (f: { status: number, headers?: Record<string, string>, body: unknown }): Response =>
  new Response(JSON.stringify(f.body), { status: f.status, headers: { 'content-type': 'application/json', ...f.headers } })

interface Call { method: string, path: string, body?: unknown }
/** A fetch double answering by route; records every call. */
function serve (route: (c: Call) => Response | undefined): Call[] {
  const calls: Call[] = []
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const u = new URL(url)
    const c: Call = { method: init.method ?? 'GET', path: u.pathname.replace(/^\/v1\/bsv\/main/, '') + u.search, body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined }
    calls.push(c)
    return route(c) ?? new Response('not found', { status: 404 })
  })
  return calls
}

const fast = (): Pacer => new Pacer({ perSecond: 1000 })
const reader = (): ChainReader => new ChainReader('https://woc.test/v1/bsv/main', undefined, { pacer: fast() })
const empty = (address: string): { address: string, result: never[], error: string } => ({ address, result: [], error: '' })

afterEach(() => { vi.unstubAllGlobals() })

describe('WhatsOnChain unspent outputs', () => {
  it('reads an address holding an unconfirmed coin (no height) as unconfirmed instead of failing', async () => {
    const unconf = fixture('h2-address-unconfirmed-unspent')
    serve(c => c.path.endsWith('/unconfirmed/unspent') ? reply(unconf) : reply({ status: 200, body: empty('12drYTV2c9nZMrxep9ewpWPdLrV5bNcWF2') }))
    const list = await reader().unspent('12drYTV2c9nZMrxep9ewpWPdLrV5bNcWF2')
    expect(list.map(u => [u.txid.slice(0, 6), u.satoshis, u.height])).toEqual([['bdcfb9', 85, undefined], ['575e01', 17000, undefined]])
  })

  it('marks an output a mempool transaction already spends, and keeps the unconfirmed one of unspent/all', async () => {
    const all = fixture('h2-address-unspent-all')
    const body = all.body as { result: Array<{ height?: number }> }
    serve(c => c.path.includes('/confirmed/unspent') && !c.path.includes('unconfirmed')
      ? reply({ status: 200, body: { ...body, result: body.result.filter(r => r.height !== undefined) } })
      : reply({ status: 200, body: { ...body, result: body.result.filter(r => r.height === undefined) } }))
    const list = await reader().unspent('1L2F8wYxTRagCZLnsm2engg8ngGECSeuE5')
    expect(list).toEqual([
      { txid: '46b080bf212f3b355cffe7956db3adb53840ac550e51110577317df030039d7f', vout: 0, satoshis: 100, height: 861936, spentInMempool: true },
      { txid: '9c3801270d353066ed0553efb243bccc296d16e8ba589797934717c3f1ac030d', vout: 1, satoshis: 98, height: undefined, spentInMempool: false }
    ])
  })

  it('follows nextPageToken until the last page of confirmed outputs', async () => {
    const addr = '1Dbj1LUxTqtuZ1U52KZiZChLPHkTAMiD6h'
    const item = (i: number): object => ({ height: 800_000, tx_pos: i, tx_hash: 'ab'.repeat(32), value: 1000 + i, isSpentInMempoolTx: false })
    const calls = serve(c => {
      if (c.path.includes('unconfirmed')) return reply({ status: 200, body: empty(addr) })
      const page = c.path.includes('token=p2') ? 2 : c.path.includes('token=p1') ? 1 : 0
      const result = Array.from({ length: page === 2 ? 5 : 1000 }, (_, i) => item(page * 1000 + i))
      return reply({ status: 200, body: { address: addr, script: 'ff', result, error: '', ...(page < 2 ? { nextPageToken: `p${page + 1}` } : {}) } })
    })
    const list = await reader().unspent(addr)
    expect(list.length).toBe(2005)
    expect(list.reduce((s, u) => s + u.satoshis, 0)).toBe(2005 * 1000 + (2004 * 2005) / 2)
    expect(calls.map(c => c.path)).toEqual([
      `/address/${addr}/confirmed/unspent`, `/address/${addr}/confirmed/unspent?token=p1`, `/address/${addr}/confirmed/unspent?token=p2`, `/address/${addr}/unconfirmed/unspent`
    ])
  })

  it('refuses a page token that comes back (a loop), rather than spinning', async () => {
    const addr = '1Dbj1LUxTqtuZ1U52KZiZChLPHkTAMiD6h'
    serve(() => reply({ status: 200, body: { address: addr, result: [], error: '', nextPageToken: 'same' } }))
    await expect(reader().unspent(addr)).rejects.toThrow(/same page twice/)
  })
})

describe('bulk endpoints', () => {
  it('asks for 20 addresses per request and reads the documented answers, with paging per address', async () => {
    const conf = fixture('h2-bulk-confirmed-unspent-paged')
    const paged = (conf.body as Array<{ address: string }>)
    const addrs = [paged[0]!.address, paged[1]!.address, ...Array.from({ length: 38 }, (_, i) => `1Fake${i}Address${'x'.repeat(20)}`)]
    const calls = serve(c => {
      if (c.method === 'POST') {
        const asked = (c.body as { addresses: string[] }).addresses
        if (c.path === '/addresses/confirmed/unspent') return reply({ status: 200, body: asked.map(a => (conf.body as Array<{ address: string }>).find(e => e.address === a) ?? empty(a)) })
        return reply({ status: 200, body: asked.map(a => empty(a)) })
      }
      // The second page of the first address.
      if (c.path.startsWith(`/address/${addrs[0]}/confirmed/unspent?token=`)) {
        return reply({ status: 200, body: { address: addrs[0], result: [{ height: 892000, tx_pos: 3, tx_hash: 'cd'.repeat(32), value: 777, isSpentInMempoolTx: false }], error: '' } })
      }
      return undefined
    })
    const map = await reader().unspentMany(addrs)
    expect(calls.filter(c => c.method === 'POST').map(c => [c.path, (c.body as { addresses: string[] }).addresses.length])).toEqual([
      ['/addresses/confirmed/unspent', 20], ['/addresses/unconfirmed/unspent', 20], ['/addresses/confirmed/unspent', 20], ['/addresses/unconfirmed/unspent', 20]
    ])
    expect(calls.length).toBe(5)
    expect(map.get(addrs[0]!)!.map(u => u.satoshis)).toEqual([546, 546, 777])
    expect(map.get(addrs[1]!)).toEqual([]) // result: null
    expect(map.size).toBe(40)
  })

  it('reads the documented bulk answers (confirmed with heights, unconfirmed without)', async () => {
    const conf = fixture('h2-bulk-confirmed-unspent')
    const unconf = fixture('h2-bulk-unconfirmed-unspent')
    const addrs = ['16ZBEb7pp6mx5EAGrdeKivztd5eRJFuvYP', '1KGHhLTQaPr4LErrvbAuGE62yPpDoRwrob', '12drYTV2c9nZMrxep9ewpWPdLrV5bNcWF2', '1uEVHTbkzhz6pFfMQEYoimE2bQZNbhRC8']
    serve(c => {
      const asked = (c.body as { addresses: string[] }).addresses
      const src = (c.path === '/addresses/confirmed/unspent' ? conf.body : unconf.body) as Array<{ address: string }>
      return reply({ status: 200, body: asked.map(a => src.find(e => e.address === a) ?? empty(a)) })
    })
    const map = await reader().unspentMany(addrs)
    expect(map.get(addrs[0]!)!.map(u => u.height)).toEqual([657540, 657542])
    expect(map.get(addrs[2]!)!.map(u => [u.satoshis, u.height])).toEqual([[85, undefined], [17000, undefined]])
    expect([...map.values()].flat().reduce((s, u) => s + u.satoshis, 0)).toBe(4 * 25_000_000 + 85 + 17000 + 85 + 85)
  })

  it('asks a busy address alone when the bulk unconfirmed answer hits its 100-item cap', async () => {
    const busy = '1Busy' + 'x'.repeat(25)
    const item = (i: number): object => ({ tx_pos: i, tx_hash: 'ef'.repeat(32), value: 10, isSpentInMempoolTx: false })
    const calls = serve(c => {
      if (c.method === 'POST') {
        const asked = (c.body as { addresses: string[] }).addresses
        if (c.path === '/addresses/confirmed/unspent') return reply({ status: 200, body: asked.map(a => empty(a)) })
        return reply({ status: 200, body: asked.map(a => ({ address: a, result: a === busy ? Array.from({ length: 100 }, (_, i) => item(i)) : [], error: '' })) })
      }
      if (c.path === `/address/${busy}/unconfirmed/unspent`) return reply({ status: 200, body: { address: busy, result: Array.from({ length: 150 }, (_, i) => item(i)), error: '' } })
      return undefined
    })
    const map = await reader().unspentMany([busy, '1Quiet' + 'x'.repeat(24)])
    expect(map.get(busy)!.length).toBe(150)
    expect(calls.filter(c => c.method === 'GET').map(c => c.path)).toEqual([`/address/${busy}/unconfirmed/unspent`])
  })

  it('reads bulk answers that list items under "unspent", as one of the documented WhatsOnChain examples shows', async () => {
    const conf = fixture('h2-bulk-confirmed-unspent')
    const addrs = ['16ZBEb7pp6mx5EAGrdeKivztd5eRJFuvYP', '1KGHhLTQaPr4LErrvbAuGE62yPpDoRwrob']
    const asUnspent = (e: { result?: unknown }): unknown => { const { result, ...rest } = e; return { ...rest, unspent: result } }
    serve(c => {
      const asked = (c.body as { addresses: string[] }).addresses
      const src = (c.path === '/addresses/confirmed/unspent' ? conf.body : []) as Array<{ address: string, result?: unknown }>
      return reply({ status: 200, body: asked.map(a => asUnspent(src.find(e => e.address === a) ?? empty(a))) })
    })
    const map = await reader().unspentMany(addrs)
    expect(map.get(addrs[0]!)!.map(u => u.height)).toEqual([657540, 657542])
    expect([...map.values()].flat().length).toBeGreaterThan(2)
  })

  it('treats an address the service left out as an error, never as an empty address', async () => {
    serve(c => reply({ status: 200, body: (c.body as { addresses: string[] }).addresses.slice(1).map(a => empty(a)) }))
    await expect(reader().unspentMany(['1AAAAAAAAAAAAAAAAAAAAAAAAAAA', '1BBBBBBBBBBBBBBBBBBBBBBBBBBB'])).rejects.toThrow(ChainDataError)
  })

  it('refuses an answer about an address nobody asked for', async () => {
    serve(c => reply({ status: 200, body: [...(c.body as { addresses: string[] }).addresses.map(a => empty(a)), empty('1Intruder')] }))
    await expect(reader().unspentMany(['1AAAAAAAAAAAAAAAAAAAAAAAAAAA'])).rejects.toThrow(/did not ask/)
  })

  it('falls back to one address at a time when the service has no bulk endpoint', async () => {
    const calls = serve(c => c.method === 'POST' ? undefined : reply({ status: 200, body: empty('x') }))
    const map = await reader().unspentMany(['1AAAAAAAAAAAAAAAAAAAAAAAAAAA', '1BBBBBBBBBBBBBBBBBBBBBBBBBBB'])
    expect(map.size).toBe(2)
    expect(calls.filter(c => c.method === 'GET').length).toBe(4)
  })
})

describe('rate limit', () => {
  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('2', 0)).toBe(2000)
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000)
    expect(retryAfterMs('soon', 0)).toBeUndefined()
    expect(retryAfterMs(null, 0)).toBeUndefined()
  })

  it('paces requests to the configured rate', async () => {
    serve(c => reply({ status: 200, body: (c.body as { addresses: string[] }).addresses.map(a => empty(a)) }))
    const r = new ChainReader('https://woc.test/v1/bsv/main', undefined, { pacer: new Pacer({ perSecond: 10 }) })
    const t0 = Date.now()
    await r.unspentMany(Array.from({ length: 60 }, (_, i) => `1Addr${i}`)) // 3 batches × 2 = 6 requests
    // Six requests at 10/s: the sixth leaves no earlier than 500 ms after the first.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(480)
  })

  it('waits out a 429 for as long as Retry-After says and carries on, instead of aborting', async () => {
    let limited = 2
    const times: number[] = []
    serve(c => {
      times.push(Date.now())
      if (limited-- > 0) return reply({ status: 429, headers: { 'retry-after': '1' }, body: { error: 'Too many requests' } })
      return reply({ status: 200, body: (c.body as { addresses: string[] }).addresses.map(a => empty(a)) })
    })
    const r = new ChainReader('https://woc.test/v1/bsv/main', undefined, { pacer: new Pacer({ perSecond: 100 }) })
    const map = await r.unspentMany(['1AAAAAAAAAAAAAAAAAAAAAAAAAAA'])
    expect(map.get('1AAAAAAAAAAAAAAAAAAAAAAAAAAA')).toEqual([])
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990)
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(990)
  })

  it('slows down to a limit below its setting instead of failing (a service allowing 3/s, a pacer set to 100/s)', async () => {
    let tokens = 1
    let at = Date.now()
    let limited = 0
    serve(c => {
      const now = Date.now()
      tokens = Math.min(1, tokens + (now - at) * 3 / 1000)
      at = now
      if (tokens < 1) { limited++; return reply({ status: 429, headers: { 'retry-after': '1' }, body: {} }) }
      tokens -= 1
      return reply({ status: 200, body: (c.body as { addresses: string[] }).addresses.map(a => empty(a)) })
    })
    const r = new ChainReader('https://woc.test/v1/bsv/main', undefined, { pacer: new Pacer({ perSecond: 100 }) })
    const map = await r.unspentMany(Array.from({ length: 200 }, (_, i) => `1Addr${i}`)) // 20 requests
    expect(map.size).toBe(200)
    expect(limited).toBeLessThan(12)
  })

  it('gives up with a clear error only after many 429s in a row', async () => {
    serve(() => reply({ status: 429, body: {} }))
    const r = new ChainReader('https://woc.test/v1/bsv/main', undefined, { pacer: new Pacer({ perSecond: 1000, maxRetries: 3, maxWaitMs: 5 }) })
    await expect(r.unspent('1AAAAAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow(/keeps rate limiting/)
  })
})
