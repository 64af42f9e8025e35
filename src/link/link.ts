// A Link is an authenticated, typed message pipe to one peer. It runs over a
// Transport (direct WebRTC or the encrypted relay) and adds: the identity
// handshake, JSON messages with a size cap, chunking, liveness, and a clean close.

import * as v from 'valibot'
import type { PrivateKey } from '@bsv/sdk'
import {
  CommitSchema, Handshake, HelloSchema, LinkAuthError, type HandshakeDone, type HandshakeMsg, type LinkRole
} from '../core/link-auth/index.ts'
import { Emitter } from './emitter.ts'
import { LinkError } from './errors.ts'
import { connectionLostMessage, unreadablePeerMessage } from './explain.ts'
import { splitDetail } from '../core/plain-detail.ts'
import { Reassembler, splitMessage } from './frames.ts'
import type { FallbackReason, LinkPath } from './ice-evidence.ts'
import type { Transport, TransportKind } from './transport.ts'

export type CloseReason = 'local' | 'peer-closed' | 'timeout' | 'connection-lost' | 'protocol'

export interface LinkClosed {
  reason: CloseReason
  /** one sentence for the screen */
  message: string
}

export interface Link<T = unknown> {
  /** 'direct' over WebRTC, or 'relay' through the signalling service */
  readonly mode: TransportKind
  /**
   * How the data travels: 'direct' (WebRTC, phone to phone), 'turn' (WebRTC through a
   * TURN server: the selected pair has a relay candidate) or 'relay' (the encrypted
   * WebSocket relay of the signalling service).
   */
  readonly path: LinkPath
  /**
   * ms from the start of this phone's attempt (see ConnectInfo.startedAt) until both
   * identities were proven; undefined when the caller gave no start.
   */
  readonly connectMs?: number
  /** Why the direct attempt was given up, when path is 'relay'. */
  readonly fallback?: LinkFallback
  readonly role: LinkRole
  /** Peer's identity key, compressed hex. Proven by signature over this channel's keys. */
  readonly peerKey: string
  /** Six digits (e.g. "123 456") both screens show; equal on both means no interception. */
  readonly sas: string
  readonly closed: boolean
  /** Sends one JSON message (≤ maxMessageBytes once encoded). */
  send (body: T): Promise<void>
  /** Messages that arrived before the first handler are delivered to it. */
  onMessage (cb: (body: T) => void): () => void
  onClose (cb: (info: LinkClosed) => void): () => void
  /** Round-trip time of one ping, in ms. */
  ping (): Promise<number>
  close (message?: string): void
}

/** How a link connected: what the network lab and benchmarks record per condition. */
export interface LinkReport {
  path: LinkPath
  connectMs?: number
  fallback?: LinkFallback
}

export function linkReport (link: Pick<Link, 'path' | 'connectMs' | 'fallback'>): LinkReport {
  return {
    path: link.path,
    ...(link.connectMs !== undefined ? { connectMs: link.connectMs } : {}),
    ...(link.fallback !== undefined ? { fallback: link.fallback } : {})
  }
}

/** Why a link ended up on the relay: the evidence rule's reason, the other phone's choice, or no WebRTC here. */
export type LinkFallback = FallbackReason | 'peer' | 'no-webrtc'

/** Facts about how the link came to be, set by the pairing code. */
export interface ConnectInfo {
  /** performance.now() when this phone started connecting */
  startedAt?: number
  fallback?: LinkFallback
}

export interface LinkOptions<T = unknown> {
  identity: PrivateKey
  /** When known (invite, contact), the peer must prove exactly this key. */
  expectedPeerKey?: string
  /** Validates every incoming body; throwing closes the link as a protocol error. */
  parse?: (body: unknown) => T
  /** Default 1 MiB. */
  maxMessageBytes?: number
  /** Default 10 s. */
  handshakeTimeoutMs?: number
  /** Send a ping this often when idle. Default 10 s. */
  pingEveryMs?: number
  /** Close when nothing was heard for this long. Default 30 s: a phone opening its camera backgrounds the tab. */
  deadAfterMs?: number
}

const WireSchema = v.variant('k', [
  CommitSchema,
  HelloSchema,
  v.strictObject({ k: v.literal('ping'), n: v.number() }),
  v.strictObject({ k: v.literal('pong'), n: v.number() }),
  v.strictObject({ k: v.literal('bye'), reason: v.pipe(v.string(), v.maxLength(200)) }),
  v.strictObject({ k: v.literal('msg'), body: v.unknown() })
])
type Wire = v.InferOutput<typeof WireSchema>

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })

/** Runs the identity handshake over a connected transport and returns the Link. */
export async function openLink<T = unknown> (transport: Transport, opts: LinkOptions<T>, info: ConnectInfo = {}): Promise<Link<T>> {
  const maxBytes = opts.maxMessageBytes ?? 1024 * 1024
  const reasm = new Reassembler(maxBytes + 64, maxBytes)
  const events = new Emitter<{ message: T, close: LinkClosed }>()
  const pending: T[] = []
  let hasMessageHandler = false
  let authed = false
  let closed: LinkClosed | undefined
  let seq = 0
  let lastHeard = Date.now()
  let pingN = 0
  const pongWaiters = new Map<number, () => void>()
  let sendChain: Promise<void> = Promise.resolve()

  const sendWire = async (w: Wire): Promise<void> => {
    const bytes = enc.encode(JSON.stringify(w))
    if (bytes.length > maxBytes + 64) throw new LinkError('protocol', `message of ${bytes.length} bytes exceeds the ${maxBytes}-byte limit`)
    const frames = splitMessage(seq++, bytes)
    // Serialize whole messages so chunks of two messages never interleave.
    const run = sendChain.then(async () => { for (const f of frames) await transport.send(f) })
    sendChain = run.catch(() => {})
    await run
  }

  /** Resolves once the goodbye (if any) is on its way and the transport is closed. */
  const finish = async (info: LinkClosed, notifyPeer: boolean): Promise<void> => {
    if (closed !== undefined) return
    closed = info
    clearInterval(timer)
    if (notifyPeer) {
      // Bounded: a dead transport must not keep the close from happening.
      // Only our plain sentence: the technical detail is for this phone's Details, not the other's screen.
      const bye = sendWire({ k: 'bye', reason: splitDetail(info.message).text.slice(0, 200) }).catch(() => {})
      await Promise.race([bye, new Promise(r => setTimeout(r, 1000))])
      await new Promise(r => setTimeout(r, 50)) // let the frame leave before tearing down
    }
    transport.close()
    events.emit('close', info)
  }

  // ---- identity handshake (commit before reveal, see core/link-auth/handshake.ts) ----
  const hs = new Handshake({
    role: transport.role,
    identity: opts.identity,
    binding: transport.binding,
    nonce: crypto.getRandomValues(new Uint8Array(32)),
    ...(opts.expectedPeerKey !== undefined ? { expectedPeerKey: opts.expectedPeerKey } : {})
  })
  let handshakeDone: (d: HandshakeDone) => void = () => {}
  let handshakeFailed: (e: LinkError) => void = () => {}
  const handshake = new Promise<HandshakeDone>((resolve, reject) => { handshakeDone = resolve; handshakeFailed = reject })
  handshake.catch(() => {})
  const onHandshake = (m: HandshakeMsg): void => {
    if (authed) throw new LinkError('protocol', 'peer repeated the identity handshake')
    let step
    try {
      step = hs.receive(m)
    } catch (e) {
      handshakeFailed(e instanceof LinkAuthError ? new LinkError('identity', e.message, { cause: e }) : new LinkError('protocol', String(e)))
      return
    }
    for (const out of step.send) void sendWire(out).catch(() => {})
    // Set synchronously: a message right behind the peer's hello must find us authenticated.
    if (step.done !== undefined) { authed = true; handshakeDone(step.done) }
  }

  const onWire = (w: Wire): void => {
    switch (w.k) {
      case 'commit': case 'hello': onHandshake(w); return
      case 'ping': void sendWire({ k: 'pong', n: w.n }).catch(() => {}); return
      case 'pong': pongWaiters.get(w.n)?.(); pongWaiters.delete(w.n); return
      case 'bye': void finish({ reason: 'peer-closed', message: peerClosedMessage(w.reason) }, false); return
      case 'msg': {
        if (!authed) throw new LinkError('protocol', 'peer sent a message before proving its identity')
        const body = opts.parse !== undefined ? opts.parse(w.body) : w.body as T
        if (hasMessageHandler) events.emit('message', body); else pending.push(body)
      }
    }
  }

  transport.onFrame(frame => {
    if (closed !== undefined) return
    lastHeard = Date.now()
    try {
      const whole = reasm.push(frame)
      if (whole === undefined) return
      const parsed = v.safeParse(WireSchema, JSON.parse(dec.decode(whole)))
      if (!parsed.success) throw new LinkError('protocol', `peer sent an invalid message: ${parsed.issues[0]?.message ?? ''}`)
      onWire(parsed.output)
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      void finish({ reason: 'protocol', message: unreadablePeerMessage(msg) }, true)
    }
  })
  transport.onClose(reason => {
    void finish({ reason: 'connection-lost', message: connectionLostMessage(reason) }, false)
  })

  const pingEvery = opts.pingEveryMs ?? 10_000
  const deadAfter = opts.deadAfterMs ?? 30_000
  const timer = setInterval(() => {
    if (Date.now() - lastHeard > deadAfter) {
      void finish({ reason: 'timeout', message: `No answer from the other phone for ${Math.round(deadAfter / 1000)} s; connection closed.` }, false)
      return
    }
    void sendWire({ k: 'ping', n: ++pingN }).catch(() => {})
  }, Math.min(pingEvery, deadAfter / 3))

  const timeout = setTimeout(() => handshakeFailed(new LinkError('timeout', 'The other phone did not identify itself in time.')), opts.handshakeTimeoutMs ?? 10_000)
  events.on('close', c => handshakeFailed(new LinkError(c.reason === 'protocol' ? 'protocol' : 'closed', c.message)))
  let done: HandshakeDone
  try {
    for (const m of hs.start()) await sendWire(m)
    done = await handshake
  } catch (e) {
    const raw = e instanceof LinkError ? e : new LinkError('protocol', String(e))
    // The parser's or handshake's own words go behind "Details"; the person reads a sentence.
    const err = raw.code === 'protocol' ? new LinkError('protocol', unreadablePeerMessage(raw.message), { cause: raw }) : raw
    await finish({ reason: err.code === 'timeout' ? 'timeout' : 'protocol', message: err.message }, true)
    throw err
  } finally {
    clearTimeout(timeout)
  }
  const peerKey = done.peerKey
  const connectMs = info.startedAt !== undefined ? Math.round(performance.now() - info.startedAt) : undefined

  return {
    mode: transport.kind,
    // Live: a WebRTC link may move from a TURN pair to a direct one after connecting.
    get path () { return transport.path },
    ...(connectMs !== undefined ? { connectMs } : {}),
    ...(info.fallback !== undefined ? { fallback: info.fallback } : {}),
    role: transport.role,
    peerKey,
    sas: done.sas,
    get closed () { return closed !== undefined },
    async send (body: T) {
      if (closed !== undefined) throw new LinkError('closed', closed.message)
      await sendWire({ k: 'msg', body })
    },
    onMessage (cb) {
      const off = events.on('message', cb)
      if (!hasMessageHandler) {
        hasMessageHandler = true
        pending.splice(0).forEach(b => cb(b))
      }
      return off
    },
    onClose (cb) {
      if (closed !== undefined) { const c = closed; queueMicrotask(() => cb(c)); return () => {} }
      return events.on('close', cb)
    },
    async ping () {
      const n = ++pingN
      const t0 = performance.now()
      await new Promise<void>((resolve, reject) => {
        pongWaiters.set(n, resolve)
        sendWire({ k: 'ping', n }).catch(reject)
        setTimeout(() => { pongWaiters.delete(n); reject(new LinkError('timeout', 'The other phone did not answer in time.')) }, 10_000)
      })
      return performance.now() - t0
    },
    close (message = 'The other phone closed the connection.') {
      void finish({ reason: 'local', message }, true)
    }
  }
}

/**
 * The other phone's reason for hanging up is its own words, and a hostile phone could make
 * them say anything ("Payment received"): shown only quoted and attributed, on one short line.
 */
export function peerClosedMessage (reason: string): string {
  const said = reason.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim().slice(0, 120)
  return said === '' ? 'The other phone closed the connection.' : `The other phone closed the connection, saying: “${said}”`
}
