// Online pairing with one scan: the inviter opens a room on the signalling service
// and shows an invite QR (room id + its identity key). The scanner joins; WebRTC
// is negotiated through the room with trickle ICE. If the phones can't reach each
// other directly, both switch to the end-to-end encrypted relay through the same
// room: as soon as the evidence says so (ICE failed, or no STUN response ~1.5 s after
// both sides have candidates: ice-evidence.ts), at most 6 s while checks succeed. Either way the joiner insists on the inviter's key
// from the QR, so a server that swaps SDPs or keys gets the link refused.

import type Peer from '@thaunknown/simple-peer/lite.js'
import { decodeInvite, encodeInvite, InviteError, type LinkRole } from '../core/link-auth/index.ts'
import { PayloadError } from '../core/sdp/index.ts'
import { createPeer, directPath, directTransport, gatheredBy, isOnline, signalPeer, watchDirect, type SignalData } from './direct.ts'
import { LinkError } from './errors.ts'
import { badCodeMessage, explainFailure, failureOf, inviteWaitNotice } from './explain.ts'
import { DEFAULT_RULE, type EvidenceRule } from './ice-evidence.ts'
import { openLink, type Link, type LinkFallback, type LinkOptions } from './link.ts'
import { relayTransport, RelayInbox } from './relay.ts'
import { SignalClient, type WebSocketCtor } from './signal-client.ts'
import { hasWebRTC } from './webrtc-support.ts'

export interface InviteOptions<T = unknown> extends LinkOptions<T> {
  /** ws(s)://host/signal */
  signalUrl: string
  iceServers?: RTCIceServer[]
  /** 'relay' with no TURN server blocks direct ICE (tests, or a network known to block UDP). */
  iceTransportPolicy?: RTCIceTransportPolicy
  /** The most time WebRTC gets while its checks are succeeding. Default 6 s. */
  directTimeoutMs?: number
  /** Silence after both sides have candidates that sends the link to the relay. Default 1.5 s. */
  noResponseMs?: number
  /** Allow the encrypted relay fallback. Default true. */
  relay?: boolean
  /** For Node: the `ws` WebSocket class. */
  WebSocket?: WebSocketCtor
  /**
   * A signalling connection opened ahead of time (see openSignal): the invite is ready
   * as soon as a room is made, without waiting for a socket.
   */
  signal?: Promise<SignalClient | undefined>
  /** Payee: nobody joined this long after the code is ready → onNotice says what to do. Default 3 s. */
  noticeAfterMs?: number
}

/** Opens the signalling connection early (when Receive opens), for hostInvite's `signal`. */
export async function openSignal (signalUrl: string, WS?: WebSocketCtor): Promise<SignalClient> {
  return await SignalClient.connect(signalUrl, WS)
}

export interface HostedInvite<T = unknown> {
  /** base45 text for the invite QR */
  readonly text: string
  readonly room: string
  readonly expiresInMs: number
  /** Resolves once someone scanned the invite and proved an identity. */
  readonly link: Promise<Link<T>>
  /**
   * Called (at most once) when nobody has joined a few seconds after the code is ready. A
   * payer without data cannot reach the service, so this phone never hears of them: it
   * says so, and what both can do, instead of waiting in silence. The code stays valid.
   */
  onNotice (cb: (message: string) => void): void
  cancel (): void
}

export async function hostInvite<T = unknown> (opts: InviteOptions<T>): Promise<HostedInvite<T>> {
  let signal = opts.signal !== undefined ? await opts.signal.catch(() => undefined) : undefined
  // A pre-opened socket may have closed meanwhile (the phone slept): open a fresh one.
  if (signal === undefined || signal.closed) signal = await SignalClient.connect(opts.signalUrl, opts.WebSocket)
  const { room, expiresInMs } = await signal.create()
  const text = encodeInvite({ room, identityKey: opts.identity.toPublicKey().toString() })
  const joined = new Promise<void>((resolve, reject) => {
    signal.on('peer-joined', () => resolve())
    signal.on('error', e => { if (e.code === 'expired') reject(new LinkError('timeout', e.message)) })
    signal.on('close', () => reject(new LinkError('signalling', 'The connection service stopped answering. Try again in a moment.')))
  })
  const inbox = new RelayInbox(signal)
  const sig = signal
  const link = joined.then(async () => await connect(sig, inbox, 'offerer', opts, performance.now()))
  link.catch(() => sig.close())
  let notice: string | undefined
  const noticeCbs: Array<(m: string) => void> = []
  const noticeTimer = setTimeout(() => {
    notice = inviteWaitNotice()
    noticeCbs.splice(0).forEach(cb => cb(notice!))
  }, opts.noticeAfterMs ?? 3000)
  joined.then(() => clearTimeout(noticeTimer), () => clearTimeout(noticeTimer))
  return {
    text,
    room,
    expiresInMs,
    link,
    onNotice (cb) { if (notice !== undefined) cb(notice); else noticeCbs.push(cb) },
    cancel () { clearTimeout(noticeTimer); sig.close() }
  }
}

export async function joinInvite<T = unknown> (inviteText: string, opts: InviteOptions<T>): Promise<Link<T>> {
  let invite
  try {
    invite = decodeInvite(inviteText)
  } catch (e) {
    if (e instanceof InviteError || e instanceof PayloadError) throw new LinkError('bad-code', badCodeMessage(e.message), { cause: e })
    throw e
  }
  const startedAt = performance.now()
  const signal = await SignalClient.connect(opts.signalUrl, opts.WebSocket)
  const inbox = new RelayInbox(signal)
  try {
    await signal.join(invite.room)
    return await connect(signal, inbox, 'answerer', { ...opts, expectedPeerKey: invite.identityKey }, startedAt)
  } catch (e) {
    signal.close()
    throw e
  }
}

async function connect<T> (signal: SignalClient, inbox: RelayInbox, role: LinkRole, opts: InviteOptions<T>, startedAt: number): Promise<Link<T>> {
  // No WebRTC here: go straight to the relay. Our key exchange tells the other
  // phone to stop waiting for a direct connection too.
  if (!hasWebRTC() && opts.relay !== false) {
    return await openLink(await relayTransport(signal, inbox, role), opts, { startedAt, fallback: 'no-webrtc' })
  }
  const peer: Peer = createPeer({
    initiator: role === 'offerer',
    trickle: true,
    ...(opts.iceServers !== undefined ? { iceServers: opts.iceServers } : {}),
    ...(opts.iceTransportPolicy !== undefined ? { iceTransportPolicy: opts.iceTransportPolicy } : {})
  })
  let relaying = false
  peer.on('signal', (d: SignalData) => { if (!relaying) signal.sendSignal(d) })
  const offSignal = signal.on('signal', d => { if (!relaying && !peer.destroyed) signalPeer(peer, d as SignalData) })
  peer.on('error', () => {}) // failures surface through watchDirect

  const peerGone = new Promise<never>((_, reject) => {
    signal.on('peer-left', () => reject(new LinkError('closed', 'The other phone left before the connection was made. Nothing was paid: scan a new code to try again.')))
  })
  peerGone.catch(() => {})
  // The other side may give up on WebRTC first; its key exchange is our cue.
  const peerWantsRelay = new Promise<'peer'>(resolve => {
    if (inbox.peerKx !== undefined) resolve('peer'); else inbox.onKx(() => resolve('peer'))
  })
  const rule: EvidenceRule = {
    noResponseMs: opts.noResponseMs ?? DEFAULT_RULE.noResponseMs,
    maxWaitMs: opts.directTimeoutMs ?? DEFAULT_RULE.maxWaitMs
  }

  let outcome: 'direct' | LinkFallback
  try {
    outcome = await Promise.race([
      watchDirect(peer, rule).then(o => o.result === 'connected' ? 'direct' as const : o.reason),
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
    const path = await directPath(peer)
    const link = await openLink(directTransport(peer, role, path), opts, { startedAt })
    // The room has done its job; free it. (A direct link doesn't need the server.)
    signal.close()
    return link
  }
  if (opts.relay === false) {
    const hadAddress = gatheredBy(peer).candidates > 0
    peer.destroy(); signal.close()
    throw new LinkError('ice-failed', outcome === 'peer'
      ? 'The other phone fell back to the encrypted relay, which is turned off here. Turn it on, or join one Wi-Fi or hotspot and use a two-scan code.'
      : explainFailure({ kind: failureOf(outcome), mode: 'invite', online: isOnline(), hadAddress }))
  }
  relaying = true
  offSignal()
  peer.destroy()
  try {
    const transport = await relayTransport(signal, inbox, role)
    return await openLink(transport, opts, { startedAt, fallback: outcome })
  } catch (e) {
    if (e instanceof LinkError && (e.code === 'timeout' || e.code === 'closed')) {
      throw new LinkError(e.code, explainFailure({ kind: 'relay-unavailable', mode: 'invite', online: isOnline() }), { cause: e })
    }
    throw e
  }
}
