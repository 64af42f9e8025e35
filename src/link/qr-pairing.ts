// Serverless pairing: A shows an offer QR, B scans it and shows an answer QR, A
// scans that. The DTLS fingerprint travels through the camera, which the network
// can't touch, so this mode needs no server and still authenticates the channel.

import { decodeSdpText, encodeSdpText, SdpCodecError, PayloadError } from '../core/sdp/index.ts'
import { createPeer, directTransport, nextSignal, waitConnected } from './direct.ts'
import { LinkError } from './errors.ts'
import { openLink, type Link, type LinkOptions } from './link.ts'

export interface QrPairingOptions<T = unknown> extends LinkOptions<T> {
  /** STUN/TURN servers; leave empty when offline (a dead STUN server only costs the gathering cap). */
  iceServers?: RTCIceServer[]
  /** Stop gathering this long after the first candidate. Default 1200 ms. */
  gatherTimeoutMs?: number
  /** How long to wait for the channel to open once both codes are scanned. Default 15 s. */
  connectTimeoutMs?: number
}

export interface QrOffer<T = unknown> {
  /** base45 text for the offer QR (alphanumeric mode) */
  readonly text: string
  /** size of the SDP the browser produced, for comparison */
  readonly rawSdpBytes: number
  /** Feed the scanned answer; resolves once connected and identities are proven. */
  accept (answerText: string): Promise<Link<T>>
  cancel (): void
}

export interface QrAnswer<T = unknown> {
  /** base45 text for the answer QR */
  readonly text: string
  /** Resolves once the offerer has scanned the answer and the link is up. */
  readonly link: Promise<Link<T>>
  cancel (): void
}

function decode (text: string, want: 'offer' | 'answer'): string {
  try {
    const d = decodeSdpText(text)
    if (d.kind !== want) throw new LinkError('bad-code', want === 'answer'
      ? 'This is another offer, not the answer: scan the code the other phone shows after scanning yours.'
      : 'This is an answer code; scan the first code the other phone shows.')
    return d.sdp
  } catch (e) {
    if (e instanceof SdpCodecError || e instanceof PayloadError) throw new LinkError('bad-code', e.message, { cause: e })
    throw e
  }
}

export async function createQrOffer<T = unknown> (opts: QrPairingOptions<T>): Promise<QrOffer<T>> {
  const peer = createPeer({ initiator: true, trickle: false, ...pick(opts) })
  try {
    const offer = await nextSignal(peer, 10_000)
    const sdp = offer.sdp ?? ''
    const text = encodeSdpText('offer', sdp)
    let accepted = false
    return {
      text,
      rawSdpBytes: new TextEncoder().encode(sdp).length,
      async accept (answerText: string) {
        const remote = decode(answerText, 'answer')
        if (accepted) throw new LinkError('bad-code', 'An answer was already scanned for this offer.')
        accepted = true
        peer.signal({ type: 'answer', sdp: remote })
        try {
          await waitConnected(peer, opts.connectTimeoutMs ?? 15_000)
          return await openLink(directTransport(peer, 'offerer'), opts)
        } catch (e) {
          peer.destroy()
          throw e
        }
      },
      cancel () { peer.destroy() }
    }
  } catch (e) {
    peer.destroy()
    throw e
  }
}

export async function answerQrOffer<T = unknown> (offerText: string, opts: QrPairingOptions<T>): Promise<QrAnswer<T>> {
  const remote = decode(offerText, 'offer')
  const peer = createPeer({ initiator: false, trickle: false, ...pick(opts) })
  try {
    const answerP = nextSignal(peer, 10_000)
    peer.signal({ type: 'offer', sdp: remote })
    const answer = await answerP
    // The codec keeps as many candidates as fit a version-6 QR, IPv4 first: one
    // candidate was not enough when it was Chromium's mDNS-named IPv6 address, which
    // a Firefox offerer cannot use.
    const text = encodeSdpText('answer', answer.sdp ?? '')
    const link = (async () => {
      await waitConnected(peer, opts.connectTimeoutMs ?? 120_000)
      return await openLink(directTransport(peer, 'answerer'), opts)
    })()
    link.catch(() => peer.destroy())
    return { text, link, cancel () { peer.destroy() } }
  } catch (e) {
    peer.destroy()
    throw e
  }
}

function pick (o: { iceServers?: RTCIceServer[], gatherTimeoutMs?: number }): { iceServers?: RTCIceServer[], gatherTimeoutMs?: number } {
  return {
    ...(o.iceServers !== undefined ? { iceServers: o.iceServers } : {}),
    ...(o.gatherTimeoutMs !== undefined ? { gatherTimeoutMs: o.gatherTimeoutMs } : {})
  }
}
