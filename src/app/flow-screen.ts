// Which one screen a face-to-face payment shows, decided in one place: a dead state (timed
// out, connection lost, offline) owns the whole screen instead of sitting next to an old QR
// code or a "Connecting…" that will never finish.
import type { PairingMode } from './pairing.ts'

export type ReceiveScreen =
  /** The payment code (and, for two scans, the button to scan the payer's answer). */
  | { kind: 'code' }
  /** Connected, or the payment is under way or settled: the status line says where. */
  | { kind: 'progress' }
  /** Nothing more can happen with this code. `newCode`: a fresh code for the same request helps. */
  | { kind: 'dead', message: string, newCode: boolean, twoScans: boolean }

export interface ReceiveFacts {
  phase: string
  connected: boolean
  /** Set once a payer's phone has been linked. */
  peerKey?: string
  error?: string
  linkError?: string
  mode: PairingMode
  /** The payment has been received (verified and stored). */
  received: boolean
  /**
   * A code that can still work is on screen, or a fresh one for the same request is being
   * made (after a payer's link dropped): that, not the dead link, is what the payee sees.
   */
  freshCode?: boolean
}

export function receiveScreen (f: ReceiveFacts, offline: boolean): ReceiveScreen {
  if (f.received) return { kind: 'progress' }
  if (f.phase === 'expired') return { kind: 'dead', message: 'This request expired before it was paid. Nothing was paid.', newCode: false, twoScans: false }
  if (f.phase === 'cancelled') return { kind: 'dead', message: 'Request cancelled. Nothing was paid.', newCode: false, twoScans: false }
  if (f.phase !== 'requestSent') return { kind: 'progress' }
  if (f.connected) return { kind: 'progress' }
  if (offline && f.mode === 'invite') {
    return { kind: 'dead', message: 'This phone went offline, so this one-scan code cannot reach the payer. Nothing was paid. Show a two-scan code: it works without internet.', newCode: false, twoScans: true }
  }
  if (f.freshCode === true) return { kind: 'code' }
  if (f.linkError !== undefined) return { kind: 'dead', message: `${f.linkError} Nothing was paid. Show a new code to try again.`, newCode: true, twoScans: false }
  // A payer's phone was linked and the link closed (the session says why).
  if (f.peerKey !== undefined || f.error !== undefined) {
    return { kind: 'dead', message: `${f.error ?? 'The connection to the payer\'s phone was lost.'} Nothing was paid. Show a new code to try again.`, newCode: true, twoScans: false }
  }
  return { kind: 'code' }
}

export type PayScreen =
  | { kind: 'connecting' }
  /** Two scans: the answer code for the payee to scan. */
  | { kind: 'answer' }
  /** Linked: the request, the confirmation, the payment's progress. */
  | { kind: 'session' }
  | { kind: 'dead', message: string }

export interface PayFacts {
  linkError?: string
  hasAnswer: boolean
  view?: { connected: boolean, phase?: string, error?: string }
}

export function payScreen (f: PayFacts, offline: boolean): PayScreen {
  if (f.view === undefined) {
    if (f.linkError !== undefined) return { kind: 'dead', message: `${f.linkError} Nothing was paid. Ask the payee for a new code and scan it.` }
    if (f.hasAnswer) return { kind: 'answer' }
    if (offline) return { kind: 'dead', message: 'This phone is offline, so it cannot reach the payee through this code. Nothing was paid. Ask the payee for a two-scan code, which works without internet.' }
    return { kind: 'connecting' }
  }
  const p = f.view.phase
  if (!f.view.connected && (p === undefined || p === 'requested')) {
    return { kind: 'dead', message: `${f.view.error ?? 'The connection to the payee\'s phone was lost.'} Nothing was signed or paid. Ask the payee for a new code and scan it.` }
  }
  return { kind: 'session' }
}

// Each screen's heading. It changes only when what the person must do or know changes, and
// the screen moves focus to it then (a keyboard or screen-reader user lands on the news,
// not on a button of the screen before).

export function payTitle (screen: PayScreen, phase: string | undefined, hasRequest: boolean, paid: boolean): string {
  if (screen.kind === 'connecting') return 'Connecting to the payee'
  if (screen.kind === 'answer') return 'Show your answer code'
  if (screen.kind === 'dead') return 'Payment stopped'
  if (!hasRequest) return 'Connected'
  if (paid) return 'Paid'
  switch (phase) {
    case 'requested': return 'Check and confirm'
    case 'rejected': return 'Refused by the payee'
    case 'cancelled': return 'Cancelled'
    case 'failed': return 'Payment failed'
    default: return 'Paying'
  }
}

export function receiveTitle (screen: ReceiveScreen, phase: string | undefined, received: boolean): string {
  if (screen.kind === 'code') return 'Show this code to the payer'
  if (screen.kind === 'dead') return screen.newCode || screen.twoScans ? 'This code can no longer be used' : 'Request ended'
  if (received) return 'Payment received'
  switch (phase) {
    case 'requestSent': return 'Payer connected'
    case 'rejected': return 'Payment refused'
    case 'failed': return 'Payment failed'
    default: return 'Checking the payment'
  }
}
