// The signalling service: pairs two sockets in a short-lived room, passes their
// SDP through, and relays opaque binary frames when WebRTC can't connect. It keeps
// nothing worth stealing: room ids, socket addresses, and ciphertext in flight.

import { randomBytes } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import { isIP, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import * as v from 'valibot'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import {
  ClientMessageSchema, ERROR_TEXT, MAX_RELAY_FRAME, MAX_SIGNAL_JSON, MAX_WS_MESSAGE,
  type ServerMessage, type SignalErrorCode
} from '../../src/link/signal-protocol.ts'
import { KeyedBuckets, TokenBucket } from './rate-limit.ts'
import { MemoryRooms, RedisRooms, splitAddr, type Delivery, type RoomBackend, type SocketAddr } from './rooms.ts'

export interface SignallingOptions {
  /** URL path the WebSocket is mounted on. Default '/signal'. */
  path?: string
  /** Share rooms across instances through Redis pub/sub (e.g. redis://127.0.0.1:6379). */
  redisUrl?: string
  /** Or hand in a backend directly (tests). */
  backend?: RoomBackend
  /** How long an invite waits for the other phone. Default 120 s. */
  inviteTtlMs?: number
  /** How long a paired room may live (signalling + relay). Default 30 min. */
  pairedTtlMs?: number
  /** WebSocket ping interval; a socket that misses one is dropped. Default 30 s. */
  heartbeatMs?: number
  /** Sockets this process accepts before answering 503. Default 20,000. */
  maxSockets?: number
  /** Concurrent sockets from one client address. Default 256 (carrier NAT shares addresses). */
  maxSocketsPerIp?: number
  /** Room creations + joins per client address per minute. Default 60. */
  roomOpsPerMinute?: number
  /** Frames per socket per second (burst 3x). Default 200. */
  messagesPerSecond?: number
  /** Relay bytes per socket per second (burst 2x). Default 2 MiB. */
  relayBytesPerSecond?: number
  /**
   * Bytes (relay and signals) per client address per second, burst 2x. Default 1 MiB
   * (the 2 MiB burst carries a whole payment at once).
   * Over it, that address's sockets are paused (TCP backpressure), not cut: frames
   * are never dropped, so a relay link sharing a carrier-NAT address slows down
   * rather than breaking, and a flooding address cannot take the CPU from others.
   */
  bytesPerSecondPerIp?: number
  /** Messages per client address per second, burst 3x, paused the same way. Default 1000. */
  messagesPerSecondPerIp?: number
  /** A connection must send its HTTP request (the WebSocket upgrade) within this. Default 10 s. */
  upgradeTimeoutMs?: number
  /** A receiver this far behind is dropped rather than buffered. Default 2 MiB. */
  maxBufferedBytes?: number
  /**
   * Number of reverse proxies in front of this service (0: none). Each appends the
   * address it saw to X-Forwarded-For, so the client is the entry this many from the
   * right; anything further left was written by the client and is ignored. `true` = 1.
   */
  trustProxy?: boolean | number
}

/** Parses TRUST_PROXY: unset/0 = no proxy, N = N proxies in front. */
export function trustProxyHops (env: string | undefined): number {
  if (env === undefined || env === '') return 0
  if (!/^\d{1,2}$/.test(env)) throw new Error(`TRUST_PROXY must be the number of proxies in front of the service (0, 1, 2, …), not "${env}"`)
  return Number(env)
}

/**
 * The client address as the trusted proxies saw it: the entry `hops` from the right
 * of X-Forwarded-For. A header with fewer entries (or a malformed one) didn't pass
 * through all the proxies, so the connection's own address is used.
 */
export function clientAddress (socketAddr: string | undefined, xff: string | string[] | undefined, hops: number): string {
  const own = socketAddr ?? 'unknown'
  if (hops <= 0 || xff === undefined) return own
  const entries = (Array.isArray(xff) ? xff.join(',') : xff).split(',').map(e => e.trim()).filter(e => e !== '')
  const pick = entries[entries.length - hops]
  return pick !== undefined && isIP(pick) !== 0 ? pick : own
}

export interface SignallingHandle {
  readonly instanceId: string
  /** Resolves when the room backend is ready (Redis subscribed). */
  readonly ready: Promise<void>
  stats (): { sockets: number, rooms: number }
  close (): Promise<void>
}

interface Client {
  num: number
  addr: SocketAddr
  ip: string
  ws: WebSocket
  alive: boolean
  room?: string
  peer?: SocketAddr
  timer?: ReturnType<typeof setTimeout>
  msgs: TokenBucket
  bytes: TokenBucket
  strikes: number
  paused: boolean
}

const MAX_STRIKES = 5

export function attachSignalling (server: Server, opts: SignallingOptions = {}): SignallingHandle {
  const path = opts.path ?? '/signal'
  const inviteTtl = opts.inviteTtlMs ?? 120_000
  const pairedTtl = opts.pairedTtlMs ?? 30 * 60_000
  const maxSockets = opts.maxSockets ?? 20_000
  const maxPerIp = opts.maxSocketsPerIp ?? 256
  const msgRate = opts.messagesPerSecond ?? 200
  const byteRate = opts.relayBytesPerSecond ?? 2 * 1024 * 1024
  const maxBuffered = opts.maxBufferedBytes ?? 2 * 1024 * 1024
  const hops = opts.trustProxy === true ? 1 : typeof opts.trustProxy === 'number' ? opts.trustProxy : 0
  const upgradeTimeout = opts.upgradeTimeoutMs ?? 10_000
  const ipBytesRate = opts.bytesPerSecondPerIp ?? 1024 * 1024
  const ipMsgRate = opts.messagesPerSecondPerIp ?? 1000
  const ipBytes = new KeyedBuckets(ipBytesRate, ipBytesRate * 2)
  const ipMsgs = new KeyedBuckets(ipMsgRate, ipMsgRate * 3)
  const ownsBackend = opts.backend === undefined
  const backend: RoomBackend = opts.backend ??
    (opts.redisUrl !== undefined ? new RedisRooms(opts.redisUrl) : new MemoryRooms())
  const roomOps = new KeyedBuckets((opts.roomOpsPerMinute ?? 60) / 60, Math.max(5, (opts.roomOpsPerMinute ?? 60) / 4))
  const perIp = new Map<string, number>()
  // Connections that have not sent their request yet, by the connection's address.
  // They count against that address's limit and are cut after upgradeTimeout, so a
  // client can't hold thousands of half-open sockets. Behind proxies the connection's
  // address is a proxy's: then only the timeout applies.
  const pending = new Map<Duplex, { addr: string, timer: ReturnType<typeof setTimeout> }>()
  const pendingPerIp = new Map<string, number>()
  const bump = (m: Map<string, number>, k: string, d: number): void => {
    const n = (m.get(k) ?? 0) + d
    if (n <= 0) m.delete(k); else m.set(k, n)
  }
  const held = (ip: string): number => (perIp.get(ip) ?? 0) + (pendingPerIp.get(ip) ?? 0)
  const release = (socket: Duplex): void => {
    const p = pending.get(socket)
    if (p === undefined) return
    pending.delete(socket)
    clearTimeout(p.timer)
    if (hops === 0) bump(pendingPerIp, p.addr, -1)
  }
  const onTcp = (socket: Socket): void => {
    const addr = socket.remoteAddress ?? 'unknown'
    if (pending.size >= maxSockets || (hops === 0 && held(addr) >= maxPerIp)) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
      socket.destroySoon()
      return
    }
    const timer = setTimeout(() => { release(socket); socket.destroy() }, upgradeTimeout)
    timer.unref()
    pending.set(socket, { addr, timer })
    if (hops === 0) bump(pendingPerIp, addr, 1)
    socket.once('close', () => release(socket))
  }
  const onRequest = (req: IncomingMessage): void => { release(req.socket) }
  server.on('connection', onTcp)
  server.on('request', onRequest)
  const clients = new Map<number, Client>()
  let nextNum = 1

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE, perMessageDeflate: false })

  const clientIp = (req: IncomingMessage): string => clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], hops)

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    release(socket)
    // new URL throws on request targets like "//": an exception in an 'upgrade' listener
    // would take the whole process down (found by the route fuzzer, issue 9.4).
    let pathname: string
    try { pathname = new URL(req.url ?? '/', 'http://x').pathname } catch { pathname = '' }
    if (pathname !== path) {
      // Leave other paths to other upgrade handlers; if there are none, don't leak the socket.
      if (server.listenerCount('upgrade') === 1) socket.destroy()
      return
    }
    const ip = clientIp(req)
    if (clients.size >= maxSockets || held(ip) >= maxPerIp) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, ws => { onConnection(ws, ip) })
  }
  server.on('upgrade', onUpgrade)

  const send = (c: Client, m: ServerMessage): void => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(m))
  }
  const fail = (c: Client, code: SignalErrorCode, detail?: string): void => {
    send(c, { t: 'error', code, message: detail ?? ERROR_TEXT[code] })
  }
  const strike = (c: Client, code: SignalErrorCode, detail?: string): void => {
    fail(c, code, detail)
    if (++c.strikes >= MAX_STRIKES) c.ws.close(1008, 'too many bad messages')
  }

  const setTimer = (c: Client, ms: number, onExpire: () => void): void => {
    if (c.timer !== undefined) clearTimeout(c.timer)
    c.timer = setTimeout(onExpire, ms)
    c.timer.unref()
  }

  const leaveRoom = (c: Client, notifyPeer: boolean): void => {
    if (c.timer !== undefined) clearTimeout(c.timer)
    c.timer = undefined
    const room = c.room
    if (room === undefined) return
    if (notifyPeer && c.peer !== undefined) backend.deliver(c.peer, { kind: 'peer-left', to: splitAddr(c.peer).socket })
    c.room = undefined; c.peer = undefined
    void backend.remove(room).catch(() => {})
  }

  const expire = (c: Client): void => {
    fail(c, 'expired')
    leaveRoom(c, true)
  }

  const onConnection = (ws: WebSocket, ip: string): void => {
    const num = nextNum++
    const c: Client = {
      num, addr: `${backend.instanceId}/${num}`, ip, ws, alive: true,
      msgs: new TokenBucket(msgRate, msgRate * 3),
      bytes: new TokenBucket(byteRate, byteRate * 2),
      strikes: 0,
      paused: false
    }
    clients.set(num, c)
    bump(perIp, ip, 1)
    ws.on('pong', () => { c.alive = true })
    ws.on('message', (data: RawData, isBinary: boolean) => { void onMessage(c, data, isBinary) })
    ws.on('close', () => {
      leaveRoom(c, true)
      clients.delete(num)
      bump(perIp, ip, -1)
    })
    ws.on('error', () => { ws.terminate() })
  }

  /** Per-address budget: over it, every socket of that address stops being read for a while. */
  let shuttingDown = false
  const throttleAddress = (c: Client, bytes: number): void => {
    if (shuttingDown) return
    const wait = Math.max(ipBytes.debit(c.ip, bytes), ipMsgs.debit(c.ip, 1))
    if (wait <= 0 || c.paused) return
    c.paused = true
    c.ws.pause()
    setTimeout(() => {
      c.paused = false
      if (c.ws.readyState === c.ws.OPEN) c.ws.resume()
    }, wait).unref()
  }

  const onMessage = async (c: Client, data: RawData, isBinary: boolean): Promise<void> => {
    c.alive = true
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
    throttleAddress(c, buf.length)
    if (!c.msgs.take()) { strike(c, 'rate-limited'); return }
    if (isBinary) {
      if (c.peer === undefined) { strike(c, 'not-in-room'); return }
      if (buf.length > MAX_RELAY_FRAME) { strike(c, 'too-large', `Relay frames are limited to ${MAX_RELAY_FRAME} bytes.`); return }
      if (!c.bytes.take(buf.length)) { strike(c, 'rate-limited'); return }
      backend.deliver(c.peer, { kind: 'binary', to: splitAddr(c.peer).socket, data: buf })
      return
    }
    let raw: unknown
    try { raw = JSON.parse(buf.toString('utf8')) } catch { strike(c, 'bad-message', 'Messages must be JSON.'); return }
    const parsed = v.safeParse(ClientMessageSchema, raw)
    if (!parsed.success) { strike(c, 'bad-message', `Bad message: ${parsed.issues[0]?.message ?? 'invalid'}`); return }
    const m = parsed.output
    switch (m.t) {
      case 'create': {
        if (c.room !== undefined) { strike(c, 'already-in-room'); return }
        if (!roomOps.take(c.ip)) { strike(c, 'rate-limited'); return }
        const room = randomBytes(16).toString('hex')
        c.room = room
        try { await backend.create(room, c.addr, inviteTtl) } catch { c.room = undefined; fail(c, 'server-busy'); return }
        setTimer(c, inviteTtl, () => { if (c.peer === undefined) expire(c) })
        send(c, { t: 'created', room, expiresInMs: inviteTtl })
        return
      }
      case 'join': {
        if (c.room !== undefined) { strike(c, 'already-in-room'); return }
        if (!roomOps.take(c.ip)) { strike(c, 'rate-limited'); return }
        let res
        try { res = await backend.join(m.room, c.addr, pairedTtl) } catch { fail(c, 'server-busy'); return }
        if (!res.ok) { strike(c, res.code); return }
        c.room = m.room; c.peer = res.peer
        setTimer(c, pairedTtl, () => expire(c))
        send(c, { t: 'joined', room: m.room })
        backend.deliver(res.peer, { kind: 'peer-joined', to: splitAddr(res.peer).socket, from: c.addr, room: m.room })
        return
      }
      case 'signal': {
        if (c.peer === undefined) { strike(c, 'not-in-room'); return }
        const text = JSON.stringify({ t: 'signal', data: m.data })
        if (text.length > MAX_SIGNAL_JSON) { strike(c, 'too-large', `Signals are limited to ${MAX_SIGNAL_JSON} bytes.`); return }
        backend.deliver(c.peer, { kind: 'text', to: splitAddr(c.peer).socket, text })
        return
      }
      case 'leave':
        leaveRoom(c, true)
    }
  }

  backend.onDelivery((d: Delivery) => {
    const c = clients.get(d.to)
    if (c === undefined) return
    switch (d.kind) {
      case 'peer-joined':
        if (c.room !== d.room || c.peer !== undefined) return
        c.peer = d.from
        setTimer(c, pairedTtl, () => expire(c))
        send(c, { t: 'peer-joined' })
        return
      case 'peer-left':
        if (c.room === undefined) return
        c.peer = undefined
        leaveRoom(c, false)
        send(c, { t: 'peer-left' })
        return
      case 'text':
      case 'binary':
        if (c.peer === undefined || c.ws.readyState !== c.ws.OPEN) return
        if (c.ws.bufferedAmount > maxBuffered) { c.ws.close(1013, 'receiver too slow'); return }
        c.ws.send(d.kind === 'text' ? d.text : d.data, { binary: d.kind === 'binary' })
    }
  })

  // Pings go out in slices between other work: 10k pings (and 10k pongs back) in
  // one tick would stall relaying for everyone every interval.
  const heartbeat = setInterval(() => {
    const all = [...clients.values()]
    const slice = (from: number): void => {
      for (const c of all.slice(from, from + 256)) {
        if (c.ws.readyState !== c.ws.OPEN) continue
        if (!c.alive) { c.ws.terminate(); continue }
        c.alive = false
        c.ws.ping()
      }
      if (from + 256 < all.length) setTimeout(() => slice(from + 256), 5).unref()
    }
    slice(0)
    roomOps.sweep(); ipBytes.sweep(); ipMsgs.sweep()
  }, opts.heartbeatMs ?? 30_000)
  heartbeat.unref()

  return {
    instanceId: backend.instanceId,
    ready: backend.ready,
    // Rooms this instance has a seat in, derived from its clients rather than tracked twice.
    stats: () => ({ sockets: clients.size, rooms: new Set([...clients.values()].flatMap(c => c.room ?? [])).size }),
    close: async () => {
      clearInterval(heartbeat)
      server.off('upgrade', onUpgrade)
      server.off('connection', onTcp)
      server.off('request', onRequest)
      for (const socket of [...pending.keys()]) { release(socket); socket.destroy() }
      shuttingDown = true
      // A paused socket can't read the close handshake: resume it first.
      for (const c of clients.values()) { leaveRoom(c, true); if (c.paused) c.ws.resume(); c.ws.close(1001, 'server shutting down') }
      await new Promise<void>(resolve => { wss.close(() => resolve()) })
      for (const c of clients.values()) c.ws.terminate()
      if (ownsBackend) await backend.close()
    }
  }
}

