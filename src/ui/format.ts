// Display formatting only; amounts stay integer satoshis everywhere else.
import { formatBsv, parseAmount, type AmountUnit } from '../core/amount.ts'

export function sats (n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'sat' : 'sats'}`
}

/** Why a payment cannot be made, in numbers a person can act on. */
export function shortfallText (q: { total: number, spendable: number }): string {
  return `Not enough money: this payment needs ${sats(q.total)} with the network fee, and your wallet can spend ${sats(q.spendable)}. Ask for less, or add ${sats(q.total - q.spendable)}.`
}

export function bsv (n: number): string {
  return `${formatBsv(n)} BSV`
}

/** Approximate US dollar value for display; amounts themselves never leave satoshis. */
export function usd (sats: number, usdPerBsv: number): string {
  return `≈ $${(sats / 1e8 * usdPerBsv).toFixed(2)}`
}

export function when (ms: number): string {
  return new Date(ms).toLocaleString()
}

export function shortId (id: string): string {
  return `${id.slice(0, 8)}…${id.slice(-6)}`
}

/** "Checking 120 of 240 addresses…", for a sync or restore in progress. */
export function syncProgressText (p: { checked: number, total: number, newCoins: number, restore: boolean }): string {
  const found = p.newCoins > 0 ? ` · ${p.newCoins} ${p.newCoins === 1 ? 'coin' : 'coins'} found` : ''
  const what = `Checking ${p.checked.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} addresses…`
  return (p.restore ? `Restoring your wallet. ${what}` : what) + found
}

/**
 * What a typed amount means, in the other unit: "= 0.0002 BSV" while typing sats,
 * "= 20,000 sats" while typing BSV; the reason when it cannot be read.
 */
export function amountHint (text: string, unit: AmountUnit, decimalSep: '.' | ','): { ok: boolean, text: string } {
  if (text.trim() === '') return { ok: true, text: '' }
  try {
    const n = parseAmount(text, unit, decimalSep)
    return { ok: true, text: `= ${unit === 'sats' ? bsv(n) : sats(n)}` }
  } catch (e) {
    return { ok: false, text: (e as Error).message }
  }
}
