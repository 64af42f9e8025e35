// What a person reads when a link fails, and how a working link is carried. One place
// chooses the words, from facts the link code knows, so both phones say what happened
// and what to do: join one Wi-Fi or hotspot, use the other kind of code, turn on data,
// or pay by showing codes (the Pay and Receive screens' button for no connection at all).
// Pure: unit-tested without a browser.
import type { FallbackReason, LinkPath } from './ice-evidence.ts'
import { withDetail } from '../core/plain-detail.ts'

export type FailureKind =
  /** This phone gathered no address to offer for a direct connection. */
  | 'no-local-address'
  /** The other phone's code (complete, two scans) carries no address: that phone has no network. */
  | 'peer-no-address'
  /** The phones' addresses don't reach each other (no STUN response, or ICE failed). */
  | 'unreachable'
  /** Two scans: both codes were scanned but the channel never opened. */
  | 'no-answer'
  /** One scan: the connection service did not answer in time. */
  | 'signalling-unreachable'
  /** One scan: direct failed and the encrypted relay was not possible either. */
  | 'relay-unavailable'

export interface FailureFacts {
  kind: FailureKind
  mode: 'qr' | 'invite'
  /** navigator.onLine where known */
  online: boolean
  /** this phone had at least one candidate (an address the browser offered) */
  hadAddress?: boolean
  /** the other phone's code or signals carried at least one address */
  peerHadAddress?: boolean
}

const ONE_NETWORK = 'Join one Wi-Fi, or turn on one phone\'s hotspot and join it with the other, then try again'
/** Needs no network at all: the last way out, named as the screens' button names it. */
const BY_CODES = 'pay by showing codes instead'

export function explainFailure (f: FailureFacts): string {
  switch (f.kind) {
    case 'no-local-address':
      if (!f.online) return `This phone is not on any network, so it cannot connect. Turn on Wi-Fi or mobile data, join the other phone's hotspot, or ${BY_CODES}.`
      // "Online" but no address. Chromium offers none on an IPv6-only network while the
      // page may not use the camera; and a phone with no route anywhere still counts itself
      // online (the network lab's offline payer does). Say both, blame neither.
      return 'This phone has no address to offer for a direct connection: its network may have no connection at all (although the phone counts itself online), or be IPv6-only. ' +
        (f.mode === 'qr'
          ? `Turn on mobile data, or join the other phone's Wi-Fi or hotspot (one with IPv4) and make new codes; use the one-scan code (untick "Two scans") if both phones have internet; or ${BY_CODES}.`
          : `Join a Wi-Fi or hotspot that has IPv4, turn on mobile data, or ${BY_CODES}.`)
    case 'peer-no-address':
      // Two scans: the other phone's code was made with no address in it. Nothing this
      // phone can try; waiting would only run out the clock.
      return `The other phone's code carries no address to connect to: that phone is not on any network. Turn on its mobile data or Wi-Fi, or join one Wi-Fi or hotspot together, and make new codes; or ${BY_CODES}.`
    case 'unreachable':
      return f.mode === 'qr'
        ? `The two phones cannot reach each other directly: they are on different networks that keep them apart, or one has no network. ${ONE_NETWORK}, use the one-scan code (untick "Two scans") if both phones have internet, or ${BY_CODES}.`
        : `The two phones cannot reach each other directly, and the encrypted relay is off. ${ONE_NETWORK}, turn the relay back on, or ${BY_CODES}.`
    case 'no-answer':
      return `The other phone did not connect. Both phones must stay on this screen; if they are on different networks, ${lower(ONE_NETWORK)}, use the one-scan code, or ${BY_CODES}.`
    case 'signalling-unreachable':
      return f.online
        ? 'The connection service did not answer, so this one-scan code cannot be used now. Ask the payee for a two-scan code (it needs no internet), or try again in a moment.'
        : `This phone is offline, so it cannot use a one-scan code. Turn on mobile data or Wi-Fi; or join the payee's Wi-Fi or hotspot and ask for a two-scan code (it needs no internet); or ${BY_CODES}.`
    case 'relay-unavailable':
      return `The phones could not connect directly, and the encrypted relay could not be reached either. Turn on mobile data, ${lower(ONE_NETWORK)} with a two-scan code, or ${BY_CODES}.`
  }
}

const lower = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

/** The kind of failure the evidence rule's reason points to. */
export function failureOf (reason: FallbackReason): FailureKind {
  switch (reason) {
    case 'no-candidates': return 'no-local-address'
    case 'peer-no-candidates': return 'peer-no-address'
    case 'timeout': return 'no-answer'
    case 'ice-failed': case 'no-response': return 'unreachable'
  }
}

/** One line for the connected screen: how the two phones are linked. */
export function describePath (path: LinkPath): string {
  switch (path) {
    case 'direct': return 'Connected directly, phone to phone.'
    case 'turn': return 'Connected through a TURN server, which passes on encrypted data it cannot read.'
    case 'relay': return 'Connected through the encrypted relay, which passes on data it cannot read.'
  }
}

/**
 * Two scans, on the payer's phone while it shows its answer: the payer cannot know when
 * the payee scans, but it can tell early that its own checks reach nothing, and say so
 * instead of waiting silently.
 */
export function answerWaitNotice (reason: FallbackReason, online: boolean): string {
  if (reason === 'no-candidates') return explainFailure({ kind: 'no-local-address', mode: 'qr', online })
  if (reason === 'peer-no-candidates') return explainFailure({ kind: 'peer-no-address', mode: 'qr', online })
  return `This phone cannot reach the other phone directly yet. If nothing happens after they scan this code, ${lower(ONE_NETWORK)}; or turn on mobile data and ask for a one-scan code; or ${BY_CODES}.`
}

/**
 * One scan, on the payee's phone while it shows its code: a payer whose phone cannot
 * reach the connection service (no data) never arrives, and this phone cannot tell that
 * from someone still lifting their camera. So after a few seconds it says what it does
 * know, and what both can do.
 */
export function inviteWaitNotice (): string {
  return `The payer's phone has not connected yet. If it says it is offline or cannot reach the service: ask them to turn on mobile data, or to join this phone's Wi-Fi or hotspot and use a two-scan code (tick "Two scans"); or ${BY_CODES}.`
}

/**
 * A scanned or pasted Handover code that cannot be decoded. The decoder's own reason (a byte
 * count, a missing field) goes behind "Details"; the sentence says what to do. A code from a
 * newer Handover already says so plainly.
 */
export function badCodeMessage (technical: string): string {
  if (/newer Handover/.test(technical)) return technical
  return withDetail('This code is damaged or incomplete, so Handover cannot use it. Scan it again, or ask the other phone for a new code.', technical)
}

/** The link dropped underneath: the browser's reason goes behind "Details". */
export function connectionLostMessage (reason: string): string {
  return withDetail('The connection to the other phone was lost.', reason)
}

/** The other phone sent something unreadable (or broke the handshake): the parser's words go behind "Details". */
export function unreadablePeerMessage (technical: string): string {
  // Already said plainly (the handshake's refusals, or a message made here before).
  if (/^The other phone /.test(technical)) return technical
  return withDetail('The other phone sent something Handover cannot read, so the connection was closed.', technical)
}
