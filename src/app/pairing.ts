// Opening a link to the person in front of you, for either side of a payment.
// Online with a signalling service: one scan of an invite. Otherwise: two scans
// (offer, then answer), no server at all.
import { answerQrOffer, createQrOffer } from '../link/qr-pairing.ts'
import { hostInvite, joinInvite, openSignal } from '../link/invite-pairing.ts'
import type { SignalClient } from '../link/signal-client.ts'
import { codeKind } from '../link/code-kind.ts'
import { LinkError } from '../link/errors.ts'
import { hasWebRTC, NO_WEBRTC_OFFLINE, NO_WEBRTC_TWO_SCANS } from '../link/webrtc-support.ts'
import type { Link } from '../link/link.ts'
import type { Settings } from '../store/records.ts'
import { signalUrlFor } from './settings.ts'
import { iceServersForLink } from './ice-servers.ts'
import type { Wallet } from './wallet.ts'

export type PairingMode = 'invite' | 'qr'

/** How long to wait for the signalling service before showing a two-scan code instead. */
const SIGNAL_WAIT_MS = 3000

/**
 * Opens the signalling connection ahead of time (when Receive opens), so the one-scan
 * code is ready as soon as the amount is typed. Undefined when there is no service or it
 * is unreachable: startPayeePairing then opens its own (and falls back to two scans).
 */
export function warmSignal (settings: Settings, origin: string): Promise<SignalClient | undefined> | undefined {
  const signalUrl = signalUrlFor(settings.signalUrl, origin)
  if (signalUrl === undefined || (typeof navigator !== 'undefined' && navigator.onLine === false)) return undefined
  // The STUN/TURN list comes from the same service: ask for it now too, so it is cached by the time a code is made.
  void iceServersForLink(settings.iceServers, signalUrl).catch(() => undefined)
  return openSignal(signalUrl).catch(() => undefined)
}

export interface PayeePairing {
  mode: PairingMode
  /** What the payee's screen shows as a QR code. */
  text: string
  /** Invite mode: resolves when the payer has joined. */
  link?: Promise<Link>
  /** QR mode: feed the answer code the payer shows. */
  accept?: (answerText: string) => Promise<Link>
  /** Invite mode: words for the payee when no payer has arrived a few seconds after the code shows. */
  onNotice?: (cb: (message: string) => void) => void
  cancel: () => void
}

export interface PayerPairing {
  /** QR mode: the answer the payer shows for the payee to scan. */
  answerText?: string
  /** QR mode: early words when this phone's checks reach nothing while the payee has yet to scan. */
  onNotice?: (cb: (message: string) => void) => void
  link: Promise<Link>
  cancel: () => void
}

/** Settings' STUN/TURN when set, else the signalling service's (with short-lived TURN credentials); none offline. */
async function iceServers (settings: Settings, origin: string): Promise<RTCIceServer[]> {
  return await iceServersForLink(settings.iceServers, signalUrlFor(settings.signalUrl, origin))
}

export async function startPayeePairing (
  wallet: Wallet, settings: Settings, origin: string, mode: PairingMode, warm?: Promise<SignalClient | undefined>
): Promise<PayeePairing> {
  const identity = wallet.identityKey()
  const signalUrl = signalUrlFor(settings.signalUrl, origin)
  if (mode === 'invite' && signalUrl !== undefined) {
    // The signalling service is a convenience: if it cannot be reached quickly, fall back
    // to two scans, which need no server at all.
    // The STUN/TURN list comes from the same service, so its wait counts against SIGNAL_WAIT_MS too.
    const invite = iceServers(settings, origin).then(async ice => await hostInvite({ identity, signalUrl, iceServers: ice, ...(warm !== undefined ? { signal: warm } : {}) }))
    const inv = await Promise.race([invite, new Promise<undefined>(resolve => setTimeout(() => resolve(undefined), SIGNAL_WAIT_MS))]).catch(() => undefined)
    if (inv !== undefined) return { mode, text: inv.text, link: inv.link, onNotice: cb => inv.onNotice(cb), cancel: () => inv.cancel() }
    invite.then(i => i.cancel(), () => undefined)
  }
  if (!hasWebRTC()) {
    throw new LinkError('no-webrtc', mode === 'qr' && signalUrl !== undefined ? NO_WEBRTC_TWO_SCANS : NO_WEBRTC_OFFLINE)
  }
  const offer = await createQrOffer({ identity, iceServers: await iceServers(settings, origin) })
  return { mode: 'qr', text: offer.text, accept: async t => await offer.accept(t), cancel: () => offer.cancel() }
}

export async function startPayerPairing (wallet: Wallet, settings: Settings, origin: string, scanned: string): Promise<PayerPairing> {
  const identity = wallet.identityKey()
  const kind = codeKind(scanned)
  if (kind === 'invite') {
    const signalUrl = signalUrlFor(settings.signalUrl, origin)
    if (signalUrl === undefined) throw new LinkError('signalling', 'This code needs the signalling service, which is turned off in Settings. Ask the payee for the two-scan code instead.')
    let cancelled = false
    const link = joinInvite(scanned, { identity, signalUrl, iceServers: await iceServers(settings, origin) })
    link.then(l => { if (cancelled) l.close() }, () => undefined)
    return { link, cancel: () => { cancelled = true } }
  }
  if (kind === 'offer') {
    if (!hasWebRTC()) throw new LinkError('no-webrtc', 'This browser cannot connect phones directly (it has no WebRTC), so it cannot answer a two-scan code. Ask the payee to show a one-scan code (untick "Two scans") instead.')
    const ans = await answerQrOffer(scanned, { identity, iceServers: await iceServers(settings, origin) })
    return { answerText: ans.text, onNotice: cb => ans.onNotice(cb), link: ans.link, cancel: () => ans.cancel() }
  }
  if (kind === 'answer') throw new LinkError('bad-code', 'This is an answer code: it is for the phone that showed the first code. Scan the payee\'s code instead.')
  throw new LinkError('bad-code', 'This is not a Handover code.')
}
