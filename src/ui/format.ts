// Display formatting only; amounts stay integer satoshis everywhere else.
import { formatBsv } from '../core/amount.ts'

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
