// A WebRTC data channel through @thaunknown/simple-peer (lite build: data only),
// adapted to the Transport interface. Gathering is non-trickle for QR pairing but
// bounded by gathering.ts: with STUN/TURN configured it waits for a server-reflexive
// (and relay) candidate, so a code made once still reaches across two NATs, yet a
// STUN server that never answers costs ~2 s instead of ~40 s. Whether a direct attempt
// is going anywhere is judged from getStats() evidence (ice-evidence.ts).

import Peer, { type SignalData } from '@thaunknown/simple-peer/lite.js'
import { fingerprintOf } from '../core/sdp/index.ts'
import type { ChannelBinding, LinkRole } from '../core/link-auth/index.ts'
import { LinkError } from './errors.ts'
import { explainFailure } from './explain.ts'
import { DEFAULT_GATHER, gatherDone, serverKinds, type GatherRule } from './gathering.ts'
import {
  DEFAULT_RULE, judgeDirect, pathFromStats, snapshotFromStats,
  type DirectPath, type EvidenceRule, type FallbackReason, type IceSnapshot
} from './ice-evidence.ts'
import type { Transport } from './transport.ts'

export interface DirectOptions {
  initiator: boolean
  /** Trickle candidates (signalling server) or wait for them (QR). */
  trickle: boolean
  /** STUN/TURN servers; [] when offline. Default []. */
  iceServers?: RTCIceServer[]
  /** Non-trickle gathering bounds (gathering.ts); tests shorten them. */
  gather?: Partial<GatherRule>
  /** 'relay' with no TURN server makes ICE impossible: used to exercise the fallback. */
  iceTransportPolicy?: RTCIceTransportPolicy
}

export type { SignalData }

/** What gathering found on this side, for messages ("no address at all" is not "unreachable"). */
export interface Gathered {
  candidates: number
  types: Set<string>
}

const gathered = new WeakMap<Peer, Gathered>()
const trickled = new WeakMap<Peer, number>()
/** Peers whose remote description arrives whole (two scans): its candidate list is final. */
const wholeRemote = new WeakSet<Peer>()

/**
 * Hands the other phone's signal to the peer, counting the candidates it carries: an
 * address we were given counts as "the other side has candidates" even when the browser
 * never lists it (an mDNS name that doesn't resolve, an address it won't pair with).
 */
export function signalPeer (peer: Peer, data: SignalData): void {
  if (data.candidate !== undefined && data.candidate !== null) trickled.set(peer, (trickled.get(peer) ?? 0) + 1)
  peer.signal(data)
}

function remoteGiven (peer: Peer): number {
  const sdp = peer._pc?.remoteDescription?.sdp ?? ''
  return (sdp.match(/^a=candidate:/gm)?.length ?? 0) + (trickled.get(peer) ?? 0)
}

export function gatheredBy (peer: Peer): Gathered {
  return gathered.get(peer) ?? { candidates: 0, types: new Set() }
}

export function createPeer (opts: DirectOptions): Peer {
  const iceServers = opts.iceServers ?? []
  const rule = { ...DEFAULT_GATHER, ...opts.gather }
  const peer = new Peer({
    initiator: opts.initiator,
    trickle: opts.trickle,
    // Only a backstop: gathering.ts decides when a non-trickle code is ready.
    iceCompleteTimeout: rule.hardCapMs,
    config: {
      iceServers,
      ...(opts.iceTransportPolicy !== undefined ? { iceTransportPolicy: opts.iceTransportPolicy } : {})
    },
    channelConfig: { ordered: true }
  })
  const g: Gathered = { candidates: 0, types: new Set() }
  gathered.set(peer, g)
  if (!opts.trickle) wholeRemote.add(peer)
  const pc = peer._pc
  if (pc === null) return peer
  const t0 = performance.now()
  let firstAt: number | undefined; let firstServerAt: number | undefined
  let complete = false
  pc.addEventListener('icecandidate', ev => {
    if (ev.candidate === null) { complete = true; return }
    const type = ev.candidate.type ?? /typ (\w+)/.exec(ev.candidate.candidate)?.[1]
    if (type === undefined || ev.candidate.candidate === '') return
    const at = performance.now() - t0
    g.candidates++; g.types.add(type)
    firstAt ??= at
    if (type === 'srflx' || type === 'relay') firstServerAt ??= at
  })
  if (opts.trickle) return peer
  const servers = serverKinds(iceServers)
  const timer = setInterval(() => {
    if (peer.destroyed || peer._iceComplete) { clearInterval(timer); return }
    const done = gatherDone({
      at: performance.now() - t0,
      complete,
      ...(firstAt !== undefined ? { firstCandidateAt: firstAt } : {}),
      ...(firstServerAt !== undefined ? { firstServerCandidateAt: firstServerAt } : {}),
      haveSrflx: g.types.has('srflx'),
      haveRelay: g.types.has('relay'),
      wantsServer: servers.stun || servers.turn,
      wantsRelay: servers.turn
    }, rule)
    if (!done) return
    clearInterval(timer)
    // simple-peer sends its description on this event (what its own timer would emit).
    peer._iceComplete = true
    peer.emit('_iceComplete')
  }, 50)
  return peer
}

/** Resolves on the peer's first local description (offer or answer) after gathering. */
export async function nextSignal (peer: Peer, timeoutMs: number): Promise<SignalData> {
  return await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new LinkError('timeout', explainFailure({ kind: 'no-local-address', mode: 'qr', online: isOnline() }))), timeoutMs)
    peer.once('signal', ((d: SignalData) => { clearTimeout(t); resolve(d) }) as never)
    peer.once('error', ((e: Error) => { clearTimeout(t); reject(new LinkError('ice-failed', explainFailure({ kind: 'unreachable', mode: 'qr', online: isOnline() }), { cause: e })) }) as never)
  })
}

export function isOnline (): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false
}

export type DirectOutcome = { result: 'connected' } | { result: 'give-up', reason: FallbackReason }

/**
 * Watches a direct attempt and settles as soon as the evidence is in: connected, or
 * a reason to stop trying (ICE failed, no address, no STUN response, out of time).
 * `rule.maxWaitMs` is the longest it waits while checks are succeeding.
 */
export async function watchDirect (peer: Peer, rule: EvidenceRule = DEFAULT_RULE, onSnapshot?: (s: IceSnapshot) => void): Promise<DirectOutcome> {
  if (peer.connected) return { result: 'connected' }
  const pc = peer._pc
  const t0 = performance.now()
  const history: IceSnapshot[] = []
  return await new Promise<DirectOutcome>(resolve => {
    let settled = false
    const finish = (o: DirectOutcome): void => {
      if (settled) return
      settled = true
      clearInterval(timer)
      resolve(o)
    }
    peer.once('connect', (() => finish({ result: 'connected' })) as never)
    // simple-peer destroys the peer when ICE or the connection fails.
    peer.once('error', (() => finish({ result: 'give-up', reason: 'ice-failed' })) as never)
    peer.once('close', (() => finish({ result: 'give-up', reason: 'ice-failed' })) as never)
    let busy = false
    const timer = setInterval(() => {
      if (busy || settled) return
      if (pc === null || peer.destroyed) { finish({ result: 'give-up', reason: 'ice-failed' }); return }
      busy = true
      pc.getStats().then(report => {
        const stats: Array<Record<string, unknown>> = []
        report.forEach(s => stats.push(s as Record<string, unknown>))
        const seen = snapshotFromStats(stats, performance.now() - t0, pc.iceConnectionState, pc.iceGatheringState === 'complete' || peer._iceComplete)
        const snap = {
          ...seen,
          remoteCandidates: Math.max(seen.remoteCandidates, remoteGiven(peer)),
          remoteFinal: wholeRemote.has(peer) && pc.remoteDescription !== null
        }
        history.push(snap)
        onSnapshot?.(snap)
        const v = judgeDirect(history, rule)
        if (v.action === 'relay') finish({ result: 'give-up', reason: v.reason })
      }, () => {}).finally(() => { busy = false })
    }, 150)
  })
}

/** Which path a connected peer uses: through a TURN server or straight between the phones. */
export async function directPath (peer: Peer): Promise<DirectPath> {
  const pc = peer._pc
  if (pc === null) return 'direct'
  try {
    const stats: Array<Record<string, unknown>> = []
    ;(await pc.getStats()).forEach(s => stats.push(s as Record<string, unknown>))
    return pathFromStats(stats) ?? 'direct'
  } catch {
    return 'direct'
  }
}

/** Resolves when the data channel is open. */
export async function waitConnected (peer: Peer, timeoutMs: number, mode: 'qr' | 'invite' = 'qr'): Promise<void> {
  if (peer.connected) return
  const online = isOnline()
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new LinkError('timeout', explainFailure({ kind: 'no-answer', mode, online }))), timeoutMs)
    peer.once('connect', (() => { clearTimeout(t); resolve() }) as never)
    // Not simple-peer's "Connection failed.": what happened, and what to do.
    peer.once('error', ((e: Error) => { clearTimeout(t); reject(new LinkError('ice-failed', explainFailure({ kind: 'unreachable', mode, online }), { cause: e })) }) as never)
    peer.once('close', (() => { clearTimeout(t); reject(new LinkError('ice-failed', explainFailure({ kind: 'unreachable', mode, online }))) }) as never)
  })
}

const HIGH_WATER = 256 * 1024

/**
 * Follows the ICE transport's selected pair. Chromium may nominate the first pair that
 * answers (often through TURN) and move to a better one a moment later; the path a
 * screen or the lab reports should be the one the data takes now, not at connect time.
 * The event only says when to look again: the path is read by the same rule as at
 * connect (directPath). Browsers without RTCIceTransport events keep that first reading.
 */
function followPath (peer: Peer, onPath: (p: DirectPath) => void): void {
  const ice = peer._pc?.sctp?.transport.iceTransport
  if (ice === undefined || ice === null || typeof ice.addEventListener !== 'function') return
  ice.addEventListener('selectedcandidatepairchange', () => { void directPath(peer).then(onPath) })
}

export function directTransport (peer: Peer, role: LinkRole, path: DirectPath = 'direct'): Transport {
  const pc = peer._pc
  let current = path
  followPath(peer, p => { current = p })
  const local = pc?.localDescription?.sdp; const remote = pc?.remoteDescription?.sdp
  if (local === undefined || remote === undefined) throw new LinkError('ice-failed', 'connection has no descriptions')
  const mine = fingerprintOf(local); const theirs = fingerprintOf(remote)
  const binding: ChannelBinding = role === 'offerer'
    ? { mode: 'dtls', offerer: mine, answerer: theirs }
    : { mode: 'dtls', offerer: theirs, answerer: mine }
  const closeCbs: Array<(r: string) => void> = []
  let closed = false
  const fireClose = (reason: string): void => {
    if (closed) return
    closed = true
    closeCbs.forEach(cb => cb(reason))
  }
  peer.on('close', () => fireClose('connection lost'))
  peer.on('error', e => fireClose(e.message))
  return {
    kind: 'direct',
    get path () { return current },
    role,
    binding,
    async send (frame) {
      const ch = peer._channel
      if (closed || ch === null || peer.destroyed) throw new LinkError('closed', 'The connection is closed.')
      // Respect bufferedAmount: queueing megabytes in the channel hides a dead peer
      // and can make Chromium close the channel.
      while (ch.bufferedAmount > HIGH_WATER) {
        await new Promise<void>(resolve => {
          const t = setTimeout(resolve, 250)
          ch.addEventListener('bufferedamountlow', () => { clearTimeout(t); resolve() }, { once: true })
        })
        if (closed) throw new LinkError('closed', 'The connection is closed.')
      }
      peer.send(frame)
    },
    onFrame (cb) { peer.on('data', d => cb(d)) },
    onClose (cb) { closeCbs.push(cb) },
    close () { closed = true; peer.destroy() }
  }
}
