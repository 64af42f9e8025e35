// Online pairing with one scan: the inviter opens a room on the signalling service
// and shows an invite QR (room id + its identity key). The scanner joins; WebRTC
// is negotiated through the room with trickle ICE. If the phones can't reach each
// other directly within a few seconds, both switch to the end-to-end encrypted
// relay through the same room. Either way the joiner insists on the inviter's key
// from the QR, so a server that swaps SDPs or keys gets the link refused.

import type Peer from '@thaunknown/simple-peer/lite.js'
import { decodeInvite, encodeInvite, InviteError, type LinkRole } from '../core/link-auth/index.ts'
import { PayloadError } from '../core/sdp/index.ts'
import { createPeer, directTransport, waitConnected, type SignalData } from './direct.ts'
import { LinkError } from './errors.ts'
import { openLink, type Link, type LinkOptions } from './link.ts'
import { relayTransport, RelayInbox } from './relay.ts'
import { SignalClient, type WebSocketCtor } from './signal-client.ts'
import { hasWebRTC } from './webrtc-support.ts'

export interface InviteOptions<T = unknown> extends LinkOptions<T> {
  /** ws(s)://host/signal */
  signalUrl: string
  iceServers?: RTCIceServer[]
  /** 'relay' with no TURN server blocks direct ICE (tests, or a network known to block UDP). */
  iceTransportPolicy?: RTCIceTransportPolicy
  /** Give WebRTC this long before switching to the relay. Default 6 s. */
  directTimeoutMs?: number
  /** Allow the encrypted relay fallback. Default true. */
  relay?: boolean
  /** For Node: the `ws` WebSocket class. */
  WebSocket?: WebSocketCtor
}

export interface HostedInvite<T = unknown> {
  /** base45 text for the invite QR */
  readonly text: string
  readonly room: string
  readonly expiresInMs: number
  /** Resolves once someone scanned the invite and proved an identity. */
  readonly link: Promise<Link<T>>
  cancel (): void
}

export async function hostInvite<T = unknown> (opts: InviteOptions<T>): Promise<HostedInvite<T>> {
  const signal = await SignalClient.connect(opts.signalUrl, opts.WebSocket)
  const { room, expiresInMs } = await signal.create()
  const text = encodeInvite({ room, identityKey: opts.identity.toPublicKey().toString() })
  const joined = new Promise<void>((resolve, reject) => {
    signal.on('peer-joined', () => resolve())
    signal.on('error', e => { if (e.code === 'expired') reject(new LinkError('timeout', e.message)) })
    signal.on('close', () => reject(new LinkError('signalling', 'The signalling service closed the connection.')))
  })
  const inbox = new RelayInbox(signal)
  const link = joined.then(async () => await connect(signal, inbox, 'offerer', opts))
  link.catch(() => signal.close())
  return { text, room, expiresInMs, link, cancel () { signal.close() } }
}

export async function joinInvite<T = unknown> (inviteText: string, opts: InviteOptions<T>): Promise<Link<T>> {
  let invite
  try {
    invite = decodeInvite(inviteText)
  } catch (e) {
    if (e instanceof InviteError || e instanceof PayloadError) throw new LinkError('bad-code', e.message, { cause: e })
    throw e
  }
  const signal = await SignalClient.connect(opts.signalUrl, opts.WebSocket)
  const inbox = new RelayInbox(signal)
  try {
    await signal.join(invite.room)
    return await connect(signal, inbox, 'answerer', { ...opts, expectedPeerKey: invite.identityKey })
  } catch (e) {
    signal.close()
    throw e
  }
}

async function connect<T> (signal: SignalClient, inbox: RelayInbox, role: LinkRole, opts: InviteOptions<T>): Promise<Link<T>> {
  // No WebRTC here: go straight to the relay. Our key exchange tells the other
  // phone to stop waiting for a direct connection too.
  if (!hasWebRTC() && opts.relay !== false) return await openLink(await relayTransport(signal, inbox, role), opts)
  const peer: Peer = createPeer({
    initiator: role === 'offerer',
    trickle: true,
    ...(opts.iceServers !== undefined ? { iceServers: opts.iceServers } : {}),
    ...(opts.iceTransportPolicy !== undefined ? { iceTransportPolicy: opts.iceTransportPolicy } : {})
  })
  let relaying = false
  peer.on('signal', (d: SignalData) => { if (!relaying) signal.sendSignal(d) })
  const offSignal = signal.on('signal', d => { if (!relaying && !peer.destroyed) peer.signal(d as SignalData) })
  peer.on('error', () => {}) // failures surface through waitConnected

  const peerGone = new Promise<never>((_, reject) => {
    signal.on('peer-left', () => reject(new LinkError('closed', 'The other phone left before the connection was made.')))
  })
  peerGone.catch(() => {})
  // The other side may give up on WebRTC first; its key exchange is our cue.
  const peerWantsRelay = new Promise<'relay'>(resolve => {
    if (inbox.peerKx !== undefined) resolve('relay'); else inbox.onKx(() => resolve('relay'))
  })

  let outcome: 'direct' | 'relay' | LinkError
  try {
    outcome = await Promise.race([
      waitConnected(peer, opts.directTimeoutMs ?? 6000).then(() => 'direct' as const, (e: unknown) => e instanceof LinkError ? e : new LinkError('ice-failed', String(e))),
      peerWantsRelay,
      peerGone
    ])
  } catch (e) {
    // The other phone left: release the half-made connection, not just the promise.
    peer.destroy()
    throw e
  }

  if (outcome === 'direct') {
    offSignal()
    const link = await openLink(directTransport(peer, role), opts)
    // The room has done its job; free it. (A direct link doesn't need the server.)
    signal.close()
    return link
  }
  if (opts.relay === false) {
    peer.destroy(); signal.close()
    throw outcome === 'relay' ? new LinkError('ice-failed', 'The other phone fell back to the relay, which is turned off here.') : outcome
  }
  relaying = true
  offSignal()
  peer.destroy()
  const transport = await relayTransport(signal, inbox, role)
  return await openLink(transport, opts)
}
