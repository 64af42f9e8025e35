// Serverless pairing: A shows an offer QR, B scans it and shows an answer QR, A
// scans that. The DTLS fingerprint travels through the camera, which the network
// can't touch, so this mode needs no server and still authenticates the channel.

import { decodeSdpText, encodeSdpText, SdpCodecError, PayloadError } from '../core/sdp/index.ts'
import { createPeer, directPath, directTransport, gatheredBy, isOnline, nextSignal, waitConnected, watchDirect } from './direct.ts'
import { LinkError } from './errors.ts'
import { answerWaitNotice, badCodeMessage, explainFailure, failureOf } from './explain.ts'
import type { GatherRule } from './gathering.ts'
import { openLink, type Link, type LinkOptions } from './link.ts'

export interface QrPairingOptions<T = unknown> extends LinkOptions<T> {
  /** STUN/TURN servers; leave empty when offline (a dead STUN server only costs the gathering cap). */
  iceServers?: RTCIceServer[]
  /** Gathering bounds (gathering.ts); the defaults wait for STUN/TURN answers at most ~2 s. */
  gather?: Partial<GatherRule>
  /** How long to wait for the channel to open once both codes are scanned. Default 15 s. */
  connectTimeoutMs?: number
  /**
   * Offerer, after the answer: no STUN response this long after both sides have
   * candidates means the phones can't reach each other. Default 2 s (the answerer has
   * been checking since it scanned, so a reachable pair answers at once; a failure must
   * reach both screens within 5 s of the payer's scan, and making the answer takes ~1.3 s).
   * An answer with no address at all fails at once (ice-evidence.ts).
   */
  noResponseMs?: number
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
  /**
   * Called (at most once) when this phone can tell early that the link is in trouble
   * while it waits for the other phone to scan its answer: its checks reach nothing.
   * The link keeps waiting (the other phone may still reach this one); the words say
   * what to do if nothing happens.
   */
  onNotice (cb: (message: string) => void): void
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
    if (e instanceof SdpCodecError || e instanceof PayloadError) throw new LinkError('bad-code', badCodeMessage(e.message), { cause: e })
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
        const startedAt = performance.now()
        peer.signal({ type: 'answer', sdp: remote })
        try {
          const o = await watchDirect(peer, { noResponseMs: opts.noResponseMs ?? 2000, maxWaitMs: opts.connectTimeoutMs ?? 15_000 })
          if (o.result !== 'connected') {
            throw new LinkError(o.reason === 'timeout' ? 'timeout' : 'ice-failed',
              explainFailure({ kind: failureOf(o.reason), mode: 'qr', online: isOnline(), hadAddress: gatheredBy(peer).candidates > 0 }))
          }
          return await openLink(directTransport(peer, 'offerer', await directPath(peer)), opts, { startedAt })
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
  const startedAt = performance.now()
  const remote = decode(offerText, 'offer')
  const peer = createPeer({ initiator: false, trickle: false, ...pick(opts) })
  try {
    const answerP = nextSignal(peer, 10_000)
    peer.signal({ type: 'offer', sdp: remote })
    const answer = await answerP
    // The codec keeps the best candidate of each kind that fits a version-6 QR (host
    // IPv4 first, then server-reflexive and relay): the payer's mDNS name alone left
    // a payee behind another NAT nothing to reach.
    const text = encodeSdpText('answer', answer.sdp ?? '')
    const link = (async () => {
      await waitConnected(peer, opts.connectTimeoutMs ?? 120_000)
      return await openLink(directTransport(peer, 'answerer', await directPath(peer)), opts, { startedAt })
    })()
    link.catch(() => peer.destroy())
    // This phone knows the offer's addresses from the start and checks them at once: a
    // reachable one answers within tens of ms, even before the other phone scans.
    let notice: string | undefined
    const noticeCbs: Array<(m: string) => void> = []
    // An answer with no address in it (this phone is offline, or its browser offered
    // none) can never be reached: say so now, not after the silence rule's wait.
    if (!/^a=candidate:/m.test(answer.sdp ?? '')) notice = answerWaitNotice('no-candidates', isOnline())
    void watchDirect(peer, { noResponseMs: opts.noResponseMs ?? 3000, maxWaitMs: Number.POSITIVE_INFINITY }).then(o => {
      if (o.result === 'connected' || o.reason === 'ice-failed' || notice !== undefined) return // the link itself says so, or it was said
      notice = answerWaitNotice(o.reason, isOnline())
      noticeCbs.forEach(cb => cb(notice!))
    })
    return {
      text,
      link,
      onNotice (cb) { if (notice !== undefined) cb(notice); else noticeCbs.push(cb) },
      cancel () { peer.destroy() }
    }
  } catch (e) {
    peer.destroy()
    throw e
  }
}

function pick (o: { iceServers?: RTCIceServer[], gather?: Partial<GatherRule> }): { iceServers?: RTCIceServer[], gather?: Partial<GatherRule> } {
  return {
    ...(o.iceServers !== undefined ? { iceServers: o.iceServers } : {}),
    ...(o.gather !== undefined ? { gather: o.gather } : {})
  }
}
