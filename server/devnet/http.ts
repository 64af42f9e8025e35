// HTTP face of the devnet, in the shapes the app meets on mainnet:
//   {base}/arc/...      ARC (bitcoin-sv/arc arc.yaml), see arc.ts
//   {base}/chain/...    WhatsOnChain (where https://api.whatsonchain.com/v1/bsv/{net} is), see woc.ts
//   {base}/faucet, /mine, /reorg, /faults, /config   devnet only
// Every request is answered from a Reply, inside one try/catch: nothing a client sends can
// throw out of here (issue 9.4).
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as v from 'valibot'
import { P2PKH } from '@bsv/sdk'
import { ChainRejection, type Devnet } from './chain.ts'
import { arcProblem, getTx, health, policy, postTx, postTxs, submissionBytes } from './arc.ts'
import { handleWoc } from './woc.ts'
import { Faults, FaultSpec, type FaultRoute } from './faults.ts'
import { RateLimiter, type RateLimitOptions } from './rate-limit.ts'
import { submissionTxid } from './parse.ts'
import { json, text, writeReply, type Reply } from './reply.ts'
import { HttpError, readBody } from '../http-util.ts'

export { tscFromPath } from './tsc.ts'

/**
 * Cross-origin browsers may send what the ARC and WhatsOnChain clients send: @bsv/sdk's ARC
 * (Content-Type, XDeployment-ID, Authorization, X-CallbackUrl, X-CallbackToken), ARC's
 * documented X-* options, and wallet-toolbox's WhatsOnChain (Accept, Cache-Control).
 */
export const CORS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': [
    'accept', 'authorization', 'cache-control', 'content-type', 'xdeployment-id',
    'x-callbackurl', 'x-callbacktoken', 'x-callbackbatch', 'x-fullstatusupdates', 'x-maxtimeout',
    'x-skipfeevalidation', 'x-forcevalidation', 'x-skipscriptvalidation', 'x-skiptxvalidation',
    'x-cumulativefeevalidation', 'x-waitfor'
  ].join(', '),
  'access-control-expose-headers': 'retry-after',
  'access-control-max-age': '600'
}

/** Marks an answer to a route the devnet does not implement (the faithfulness test looks for it). */
export const UNROUTED = { 'x-devnet-unrouted': '1' }

export interface DevnetHttpOptions {
  /** WhatsOnChain-like limit on {base}/chain/*; undefined = unlimited. */
  rateLimit?: RateLimitOptions
}

const Config = v.object({
  arcAnnounceDelayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(600_000))),
  arcSeenDelayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(600_000)))
})

async function smallJson (req: IncomingMessage): Promise<unknown> {
  const raw = (await readBody(req, 16_384)).toString('utf8')
  if (raw.trim() === '') return {}
  try {
    return JSON.parse(raw) as unknown
  } catch {
    throw new HttpError(400, 'body is not JSON')
  }
}

function field (body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined
}

function scriptForAddress (address: unknown): string {
  if (typeof address !== 'string' || address.length > 100) throw new HttpError(400, 'expected {"address": "...", "satoshis": n}')
  try {
    return new P2PKH().lock(address).toHex()
  } catch {
    throw new HttpError(400, `not a P2PKH address: ${address.slice(0, 64)}`)
  }
}

function clientOf (req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown'
}

export class DevnetHttp {
  readonly faults = new Faults()
  private readonly limiter: RateLimiter | undefined

  constructor (readonly devnet: Devnet, readonly base: string, opts: DevnetHttpOptions = {}) {
    this.limiter = opts.rateLimit !== undefined ? new RateLimiter(opts.rateLimit) : undefined
  }

  /** Returns true when the request was a devnet route and has been answered. */
  async handle (req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://x')
    } catch {
      return false
    }
    if (!url.pathname.startsWith(this.base + '/')) return false
    const path = url.pathname.slice(this.base.length)
    const method = req.method ?? 'GET'
    let reply: Reply
    try {
      reply = await this.route(method, path, url.searchParams, req)
    } catch (e) {
      reply = this.errorReply(e, path)
    }
    writeReply(res, reply, CORS)
    return true
  }

  private errorReply (e: unknown, path: string): Reply {
    const isArc = path.startsWith('/arc/')
    if (e instanceof ChainRejection) return isArc ? arcProblem(e.status, e.reason, e.txid) : json(e.status, { error: e.reason })
    if (e instanceof HttpError) return isArc ? arcProblem(e.status === 413 ? 400 : e.status, e.message) : json(e.status, { error: e.message })
    if (e instanceof RangeError) return json(400, { error: e.message })
    // Not the client's fault (storage closing, a bug): say so without taking anything down.
    return isArc ? arcProblem(409, 'internal error') : json(500, { error: 'internal error' })
  }

  private async withFault (route: FaultRoute, txid: string, run: () => Promise<Reply>): Promise<Reply> {
    const fault = this.faults.take(route)
    if (fault === undefined) return await run()
    if (fault.apply) await run()
    return Faults.reply(fault, txid)
  }

  private async route (method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<Reply> {
    if (method === 'OPTIONS') return { status: 204, text: '' }
    let m: RegExpExecArray | null
    // --- ARC ---
    if (path.startsWith('/arc/')) {
      if (method === 'POST' && path === '/arc/v1/tx') {
        const bytes = await submissionBytes(req)
        return await this.withFault('arc-submit', submissionTxid(bytes), async () => await postTx(this.devnet, req, bytes))
      }
      if (method === 'GET' && (m = /^\/arc\/v1\/tx\/([^/]{1,100})$/.exec(path)) != null) {
        const txid = m[1]!
        return await this.withFault('arc-status', txid, async () => await getTx(this.devnet, txid))
      }
      if (method === 'POST' && path === '/arc/v1/txs') return await this.withFault('arc-submit', '', async () => await postTxs(this.devnet, req))
      if (method === 'GET' && path === '/arc/v1/policy') return policy(this.devnet)
      if (method === 'GET' && path === '/arc/v1/health') return health()
      return { ...arcProblem(404, 'no such ARC route'), headers: UNROUTED }
    }
    // --- WhatsOnChain ---
    if (path.startsWith('/chain/')) {
      if (this.limiter !== undefined) {
        const auth = req.headers.authorization
        const wait = this.limiter.take(clientOf(req), typeof auth === 'string' && auth.trim() !== '')
        if (wait > 0) return text(429, 'Too Many Requests', { 'retry-after': String(wait) })
      }
      const sub = path.slice('/chain'.length)
      const txid = /[0-9a-f]{64}/.exec(sub)?.[0] ?? ''
      return await this.withFault('chain', txid, async () => await handleWoc(this.devnet, method, sub, query, req) ?? text(404, 'Not Found', UNROUTED))
    }
    // --- devnet only ---
    if (method === 'POST' && path === '/faucet') {
      const body = await smallJson(req)
      const script = scriptForAddress(field(body, 'address'))
      const sats = field(body, 'satoshis') === undefined ? 1_000_000 : Number(field(body, 'satoshis'))
      const info = await this.devnet.faucet(script, sats)
      return json(200, { txid: info.txid, satoshis: sats })
    }
    if (method === 'POST' && path === '/mine') {
      const body = await smallJson(req)
      const blocks = field(body, 'blocks')
      const n = blocks === undefined ? 1 : Number(blocks)
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new HttpError(400, 'blocks must be 1..1000')
      // Optional block time (Unix seconds), e.g. to date a wallet's history in the past.
      const time = field(body, 'time')
      if (time !== undefined && typeof time !== 'number') throw new HttpError(400, 'time must be Unix seconds')
      const headers = await this.devnet.mine(n, time === undefined ? {} : { time })
      return json(200, { height: headers[headers.length - 1]!.height, hashes: headers.map(h => h.hash) })
    }
    if (method === 'POST' && path === '/reorg') {
      const depth = field(await smallJson(req), 'depth')
      const r = await this.devnet.reorg(depth === undefined ? 1 : Number(depth))
      return json(200, { oldTip: r.oldTip.hash, newTip: r.newTip.hash, height: r.newTip.height, staleTxids: r.staleTxids })
    }
    if (method === 'POST' && path === '/faults') {
      const parsed = v.safeParse(FaultSpec, await smallJson(req))
      if (!parsed.success) throw new HttpError(400, `bad fault: ${parsed.issues[0]?.message ?? 'invalid'}`)
      return json(201, { id: this.faults.add(parsed.output) })
    }
    if (method === 'DELETE' && path === '/faults') return json(200, { cleared: this.faults.clear() })
    if (method === 'POST' && path === '/config') {
      const parsed = v.safeParse(Config, await smallJson(req))
      if (!parsed.success) throw new HttpError(400, `bad config: ${parsed.issues[0]?.message ?? 'invalid'}`)
      if (parsed.output.arcAnnounceDelayMs !== undefined) this.devnet.timing.announceDelayMs = parsed.output.arcAnnounceDelayMs
      if (parsed.output.arcSeenDelayMs !== undefined) this.devnet.timing.seenDelayMs = parsed.output.arcSeenDelayMs
      return json(200, { arcAnnounceDelayMs: this.devnet.timing.announceDelayMs, arcSeenDelayMs: this.devnet.timing.seenDelayMs })
    }
    if (method === 'GET' && path === '/config') return json(200, { arcAnnounceDelayMs: this.devnet.timing.announceDelayMs, arcSeenDelayMs: this.devnet.timing.seenDelayMs })
    return json(404, { error: 'no such devnet route' }, UNROUTED)
  }
}
