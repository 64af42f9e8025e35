// What a payment's phase means to a person, for screens and the app shell. Type-only
// imports: screens can use these without loading the protocol machinery.
import type { PayeePhase } from './payee-machine.ts'
import type { PayerPhase } from './payer-machine.ts'

export const PAYER_TERMINAL: readonly PayerPhase[] = ['rejected', 'mined', 'cancelled', 'failed']

const PAID_PHASES: readonly PayerPhase[] = ['acked', 'broadcast', 'mined']
const RECEIVED_PHASES: readonly PayeePhase[] = ['acked', 'queued', 'broadcast', 'seen', 'mined']

/** The payee accepted it or the network has it: from the payer's side, paid. */
export function payerHasPaid (phase: PayerPhase): boolean {
  return PAID_PHASES.includes(phase)
}

/** Nothing more will happen to this payment from the payer's screen. */
export function payerIsDone (phase: PayerPhase): boolean {
  return payerHasPaid(phase) || PAYER_TERMINAL.includes(phase)
}

/** Between confirming and the payment being stored: nothing may interrupt (no reload, no lock). */
export function payerInFlight (phase: PayerPhase): boolean {
  return phase === 'confirmed' || phase === 'signed'
}

/** The payee has the money in hand: accepted, stored and acknowledged (broadcast may still be pending). */
export function payeeHasReceived (phase: PayeePhase): boolean {
  return RECEIVED_PHASES.includes(phase)
}

/** Between receiving a payment and storing it: nothing may interrupt (no reload, no lock). */
export function payeeInFlight (phase: PayeePhase): boolean {
  return phase === 'paymentReceived' || phase === 'verified'
}

/**
 * Closing the page now would leave the other phone, or the network, waiting on this one: a
 * payer between confirming and an answer (or its own broadcast), a payee holding a payment
 * it has not yet got to the network. The browser asks "Leave site?" then.
 */
export function payerUnfinished (phase: PayerPhase): boolean {
  return phase === 'confirmed' || phase === 'signed' || phase === 'handedOver' || phase === 'selfBroadcast'
}

export function payeeUnfinished (phase: PayeePhase): boolean {
  return phase === 'paymentReceived' || phase === 'verified' || phase === 'acked' || phase === 'queued'
}
