// A fetch that puts WhatsOnChain's behaviour in front of the devnet's chain routes, for tests
// and benchmarks run in Node: its rate limit (429 + Retry-After beyond `perSecond`, counted
// per request as WoC does), its unconfirmed items without `height`, and its bulk endpoints
// when the devnet does not serve them itself (answered from the devnet's own per-address
// data, in the documented shape). Everything else goes to the real devnet untouched.
// When the devnet grows these behaviours (DEVNET-CONTRACT.md: devnetRateLimit, bulk routes),
// the double passes them through and only counts.

export interface WocDouble {
  fetch: typeof fetch
  /** Chain-data requests the service received (including those it answered 429). */
  requests: number
  /** Of which answered 429. */
  limited: number
  reset: () => void
}

export interface UnspentItem { height?: number, tx_pos: number, tx_hash: string, value: number, isSpentInMempoolTx?: boolean }

export function wocDouble (opts: {
  chainBase: string
  perSecond?: number
  burst?: number
  inner?: typeof fetch
  /** Rewrites each unspent item the service lists (e.g. to mark it spent in the mempool). */
  editUnspent?: (item: UnspentItem) => UnspentItem
}): WocDouble {
  const inner = opts.inner ?? globalThis.fetch.bind(globalThis)
  const rate = opts.perSecond
  const burst = opts.burst ?? 1
  let tokens = burst
  let refilledAt = Date.now()
  const d: WocDouble = {
    requests: 0,
    limited: 0,
    reset: () => { d.requests = 0; d.limited = 0 },
    fetch: async (input, init) => {
      return await handle(input, init)
    }
  }
  const handle = async (input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url
      if (!url.startsWith(opts.chainBase)) return await inner(input, init)
      d.requests++
      // WOC_LOG=1 prints every request the service sees, with a millisecond clock.
      if (process.env.WOC_LOG !== undefined) console.log(Date.now() % 100_000, init?.method ?? 'GET', url.slice(opts.chainBase.length, opts.chainBase.length + 60))
      if (rate !== undefined) {
        // Token bucket: `rate` tokens a second, at most `burst` saved up.
        const now = Date.now()
        tokens = Math.min(burst, tokens + (now - refilledAt) * rate / 1000)
        refilledAt = now
        if (tokens < 1) {
          d.limited++
          const wait = Math.max(1, Math.ceil((1 - tokens) / rate))
          return new Response(JSON.stringify({ error: 'Too many requests' }), { status: 429, headers: { 'content-type': 'application/json', 'retry-after': String(wait) } })
        }
        tokens -= 1
      }
      const path = url.slice(opts.chainBase.length)
      const bulk = path.match(/^\/addresses\/(confirmed|unconfirmed)\/unspent$/)
      if (bulk !== null && (init?.method ?? 'GET') === 'POST') {
        const real = await inner(input, init)
        if (real.ok) {
          const list = await real.json() as Array<{ result?: UnspentItem[] }>
          return new Response(JSON.stringify(list.map(e => woc(e, bulk[1] === 'unconfirmed', opts.editUnspent))), { status: 200, headers: { 'content-type': 'application/json' } })
        }
        if (real.status !== 404) return real
        const { addresses } = JSON.parse(String(init?.body)) as { addresses: string[] }
        if (!Array.isArray(addresses) || addresses.length > 20) return new Response(JSON.stringify({ error: 'max 20 addresses' }), { status: 400 })
        const out = []
        for (const a of addresses) {
          const r = await inner(`${opts.chainBase}/address/${a}/${bulk[1]}/unspent`)
          out.push(woc(await r.json(), bulk[1] === 'unconfirmed', opts.editUnspent))
        }
        return new Response(JSON.stringify(out), { status: 200, headers: { 'content-type': 'application/json' } })
      }
      const res = await inner(input, init)
      const single = path.match(/^\/address\/[^/]+\/(confirmed|unconfirmed)\/unspent/)
      if (single !== null && res.ok) {
        return new Response(JSON.stringify(woc(await res.json(), single[1] === 'unconfirmed', opts.editUnspent)), { status: 200, headers: { 'content-type': 'application/json' } })
      }
      return res
  }
  return d
}

/** WoC's unconfirmed items carry no height. */
function woc (body: { result?: UnspentItem[] }, unconfirmed: boolean, edit = (i: UnspentItem): UnspentItem => i): unknown {
  if (!Array.isArray(body.result)) return body
  return { ...body, result: body.result.map(item => { const { height, ...rest } = item; return edit(unconfirmed ? rest : { height, ...rest }) }) }
}
