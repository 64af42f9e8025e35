// Which STUN/TURN servers a link uses: the ones typed into Settings win; otherwise the
// signalling service's list, with TURN credentials that expire on their own (GET
// <signal URL>/ice), so a phone needs no configuration to get through a symmetric NAT.
//
// A hostile signalling service could name a TURN server of its own: that only carries
// DTLS-encrypted traffic whose fingerprints the identity handshake checks, the same
// trust the service already has as the relay.
import * as v from 'valibot'

const Url = v.pipe(v.string(), v.maxLength(512), v.regex(/^(stun|stuns|turn|turns):[^\s]+$/))
const Secretish = v.pipe(v.string(), v.maxLength(256))
const IceAnswerSchema = v.object({
  iceServers: v.pipe(v.array(v.object({ urls: Url, username: v.optional(Secretish), credential: v.optional(Secretish) })), v.maxLength(8)),
  expiresAt: v.optional(v.pipe(v.number(), v.integer()))
})

/** http(s)://…/signal/ice for ws(s)://…/signal. */
export function iceUrlFor (signalUrl: string): string {
  const u = new URL(signalUrl)
  u.protocol = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol
  u.pathname = u.pathname.replace(/\/$/, '') + '/ice'
  u.search = ''
  return u.toString()
}

/** Use a fetched list until this long before its credentials expire. */
const REFRESH_BEFORE_S = 120
/** Without an expiry (STUN only), ask again after this long. */
const NO_EXPIRY_REUSE_MS = 10 * 60_000

interface Cached { url: string, servers: RTCIceServer[], until: number }
let cached: Cached | undefined
let inflight: { url: string, p: Promise<RTCIceServer[]> } | undefined

export interface IceFetchOptions {
  fetch?: typeof globalThis.fetch
  /** A slow or absent service must not hold up pairing: go without after this. */
  timeoutMs?: number
  now?: () => number
}

/**
 * The service's STUN/TURN list, cached until shortly before its credentials expire.
 * Never throws: no list (offline, old server, garbage) means host candidates and the relay.
 */
export async function serviceIceServers (signalUrl: string, o: IceFetchOptions = {}): Promise<RTCIceServer[]> {
  const now = o.now ?? Date.now
  const url = iceUrlFor(signalUrl)
  if (cached !== undefined && cached.url === url && now() < cached.until) return cached.servers
  if (inflight?.url !== url) {
    const p = fetchList(url, o.fetch ?? globalThis.fetch.bind(globalThis), now)
    inflight = { url, p }
    void p.finally(() => { if (inflight?.p === p) inflight = undefined })
  }
  const timeout = new Promise<RTCIceServer[]>(resolve => setTimeout(() => resolve([]), o.timeoutMs ?? 1500))
  return await Promise.race([inflight.p, timeout])
}

async function fetchList (url: string, f: typeof globalThis.fetch, now: () => number): Promise<RTCIceServer[]> {
  try {
    const res = await f(url, { cache: 'no-store', credentials: 'omit' })
    if (!res.ok) return []
    const parsed = v.safeParse(IceAnswerSchema, await res.json())
    if (!parsed.success) return []
    const { iceServers, expiresAt } = parsed.output
    const until = expiresAt !== undefined ? expiresAt * 1000 - REFRESH_BEFORE_S * 1000 : now() + NO_EXPIRY_REUSE_MS
    const servers = iceServers.map(s => ({ urls: s.urls, ...(s.username !== undefined ? { username: s.username } : {}), ...(s.credential !== undefined ? { credential: s.credential } : {}) }))
    if (until > now()) cached = { url, servers, until }
    return servers
  } catch {
    return []
  }
}

/** Tests: forget the cached list. */
export function forgetServiceIceServers (): void { cached = undefined; inflight = undefined }

/**
 * The list for a new link: offline none (a STUN server then only costs time), else the
 * Settings override when there is one, else the signalling service's.
 */
export async function iceServersForLink (configured: RTCIceServer[], signalUrl: string | undefined, o: IceFetchOptions & { online?: boolean } = {}): Promise<RTCIceServer[]> {
  const online = o.online ?? (typeof navigator === 'undefined' || navigator.onLine !== false)
  if (!online) return []
  if (configured.length > 0) return configured
  if (signalUrl === undefined) return []
  return await serviceIceServers(signalUrl, o)
}
