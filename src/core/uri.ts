// Payment targets a person can scan or paste: a bare address or a BIP21 `bitcoin:` URI
// (`?sv` flag as ElectrumSV writes it, amount in BSV, label, message).
import { formatBsv, parseBsv } from './amount.ts'
import { scriptForAddress } from './address.ts'
import type { Network } from './network.ts'

export interface PaymentTarget {
  address: string
  lockingScript: string
  satoshis?: number
  label?: string
  message?: string
}

export class UriError extends Error {}

const MAX_URI = 2048

export function parsePaymentTarget (text: string, network: Network): PaymentTarget {
  const t = text.trim()
  if (t.length === 0) throw new UriError('Nothing to pay: scan or paste an address or a bitcoin: link.')
  if (t.length > MAX_URI) throw new UriError('That code is too long to be a payment address.')
  if (!/^bitcoin:/i.test(t)) return { address: t, lockingScript: scriptForAddress(t, network) }
  const rest = t.slice('bitcoin:'.length)
  const q = rest.indexOf('?')
  const address = decodeURIComponent(q < 0 ? rest : rest.slice(0, q)).replace(/^\/\//, '')
  const params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1))
  for (const key of params.keys()) {
    if (key.startsWith('req-')) throw new UriError(`This payment link needs a feature Handover does not support (${key}).`)
  }
  const target: PaymentTarget = { address, lockingScript: scriptForAddress(address, network) }
  const amount = params.get('amount')
  if (amount !== null) {
    try { target.satoshis = parseBsv(amount) } catch { throw new UriError(`The amount in this link ("${amount.slice(0, 20)}") is not valid.`) }
  }
  const label = params.get('label')
  if (label !== null) target.label = label.slice(0, 100)
  const message = params.get('message')
  if (message !== null) target.message = message.slice(0, 200)
  return target
}

export function paymentUri (address: string, satoshis?: number, label?: string): string {
  const params = new URLSearchParams()
  params.set('sv', '')
  if (satoshis !== undefined) params.set('amount', formatBsv(satoshis))
  if (label !== undefined && label !== '') params.set('label', label)
  return `bitcoin:${address}?${params.toString().replace('sv=', 'sv')}`
}
