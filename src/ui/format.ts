// Display formatting only; amounts stay integer satoshis everywhere else.
import { formatBsv } from '../core/amount.ts'

export function sats (n: number): string {
  return `${n.toLocaleString('en-US')} sats`
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
