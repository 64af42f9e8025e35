// What a scanned or pasted text is when it is neither a Handover code nor a payment target:
// the person is told what they scanned, and nothing secret in it is kept (a Wi-Fi code's
// password is never parsed out, stored or shown).
import { parsePaymentTarget, UriError, type PaymentTarget } from './uri.ts'
import type { Network } from './network.ts'

export type ForeignText =
  /** A Wi-Fi login code. Only the network's name is read; the password never is. */
  | { kind: 'wifi', network?: string }
  | { kind: 'url', host: string }
  | { kind: 'email' }
  | { kind: 'phone' }
  | { kind: 'contact' }
  | { kind: 'text' }

const BASE58_ADDRESS = /^[1-9A-HJ-NP-Za-km-z]{25,35}$/

/** Undefined when the text may be an address or a bitcoin: link (those are judged by uri.ts). */
export function recognizeForeign (text: string): ForeignText | undefined {
  const t = text.trim()
  if (t === '' || /^bitcoin:/i.test(t) || BASE58_ADDRESS.test(t)) return undefined
  if (/^WIFI:/i.test(t)) {
    // S:<name>; with \; \, \: \\ escapes. Nothing after P: is looked at.
    const m = /(?:^WIFI:|;)S:((?:\\.|[^;\\])*)/i.exec(t)
    const name = m?.[1]?.replace(/\\(.)/g, '$1').slice(0, 32)
    return name !== undefined && name !== '' ? { kind: 'wifi', network: name } : { kind: 'wifi' }
  }
  if (/^(https?:\/\/|www\.)/i.test(t)) {
    let host = ''
    try { host = new URL(/^www\./i.test(t) ? `https://${t}` : t).hostname } catch { /* shown without a host */ }
    return { kind: 'url', host: host.slice(0, 60) }
  }
  if (/^mailto:/i.test(t) || /^MATMSG:/i.test(t)) return { kind: 'email' }
  if (/^(tel|sms|smsto):/i.test(t)) return { kind: 'phone' }
  if (/^BEGIN:VCARD/i.test(t) || /^MECARD:/i.test(t)) return { kind: 'contact' }
  return { kind: 'text' }
}

const WHAT_TO_DO = 'To pay someone here, scan their Handover payment code, or scan or paste their bitcoin address.'

/** One plain sentence about what was scanned, and what to do instead. */
export function foreignMessage (f: ForeignText): string {
  switch (f.kind) {
    case 'wifi': return `That is a Wi-Fi login code${f.network !== undefined ? ` (network “${f.network}”)` : ''}, not a payment code or address. Handover did not keep its password. ${WHAT_TO_DO}`
    case 'url': return `That is a link to a website${f.host !== '' ? ` (${f.host})` : ''}, not a payment code or address. ${WHAT_TO_DO}`
    case 'email': return `That is an email address code, not a payment code or address. ${WHAT_TO_DO}`
    case 'phone': return `That is a phone number code, not a payment code or address. ${WHAT_TO_DO}`
    case 'contact': return `That is a contact card, not a payment code or address. ${WHAT_TO_DO}`
    case 'text': return `That is ordinary text, not a payment code or address. ${WHAT_TO_DO}`
  }
}

/** A text that is something else entirely; `secret` when the field must be emptied (a Wi-Fi password). */
export class ForeignTextError extends UriError {
  constructor (readonly foreign: ForeignText) {
    super(foreignMessage(foreign))
  }

  get secret (): boolean { return this.foreign.kind === 'wifi' }
}

/** parsePaymentTarget, after telling apart texts that are no payment target at all. */
export function readPaymentTarget (text: string, network: Network): PaymentTarget {
  const foreign = recognizeForeign(text)
  if (foreign !== undefined) throw new ForeignTextError(foreign)
  return parsePaymentTarget(text, network)
}
