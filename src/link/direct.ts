// A WebRTC data channel through @thaunknown/simple-peer (lite build: data only),
// adapted to the Transport interface. Gathering is non-trickle for QR pairing but
// capped: simple-peer's iceCompleteTimeout starts at the first candidate, so a
// STUN server that never answers costs ~1.2 s instead of ~40 s.

import Peer, { type SignalData } from '@thaunknown/simple-peer/lite.js'
import { fingerprintOf } from '../core/sdp/index.ts'
import type { ChannelBinding, LinkRole } from '../core/link-auth/index.ts'
import { LinkError } from './errors.ts'
import type { Transport } from './transport.ts'

export interface DirectOptions {
  initiator: boolean
  /** Trickle candidates (signalling server) or wait for all of them (QR). */
  trickle: boolean
  /** STUN/TURN servers; [] when offline. Default []. */
  iceServers?: RTCIceServer[]
  /** Stop gathering this long after the first candidate. Default 1200 ms. */
  gatherTimeoutMs?: number
  /** 'relay' with no TURN server makes ICE impossible: used to exercise the fallback. */
  iceTransportPolicy?: RTCIceTransportPolicy
}

export type { SignalData }

export function createPeer (opts: DirectOptions): Peer {
  return new Peer({
    initiator: opts.initiator,
    trickle: opts.trickle,
    iceCompleteTimeout: opts.gatherTimeoutMs ?? 1200,
    config: {
      iceServers: opts.iceServers ?? [],
      ...(opts.iceTransportPolicy !== undefined ? { iceTransportPolicy: opts.iceTransportPolicy } : {})
    },
    channelConfig: { ordered: true }
  })
}

/** Resolves on the peer's first local description (offer or answer) after gathering. */
export async function nextSignal (peer: Peer, timeoutMs: number): Promise<SignalData> {
  return await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new LinkError('timeout', 'No network address found for a direct connection. Check Wi-Fi or mobile data.')), timeoutMs)
    peer.once('signal', ((d: SignalData) => { clearTimeout(t); resolve(d) }) as never)
    peer.once('error', ((e: Error) => { clearTimeout(t); reject(new LinkError('ice-failed', e.message, { cause: e })) }) as never)
  })
}

/** Resolves when the data channel is open. */
export async function waitConnected (peer: Peer, timeoutMs: number): Promise<void> {
  if (peer.connected) return
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new LinkError('timeout', 'The phones could not reach each other directly.')), timeoutMs)
    peer.once('connect', (() => { clearTimeout(t); resolve() }) as never)
    peer.once('error', ((e: Error) => { clearTimeout(t); reject(new LinkError('ice-failed', `Direct connection failed: ${e.message}`, { cause: e })) }) as never)
    peer.once('close', (() => { clearTimeout(t); reject(new LinkError('ice-failed', 'Direct connection closed before it opened.')) }) as never)
  })
}

const HIGH_WATER = 256 * 1024

export function directTransport (peer: Peer, role: LinkRole): Transport {
  const pc = peer._pc
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
