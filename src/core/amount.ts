/** Integer satoshis. Floats never carry money; these helpers parse and check user input. */
export const SATS_PER_BSV = 100_000_000
export const MAX_SATOSHIS = 21_000_000 * SATS_PER_BSV

export function isSatoshis (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_SATOSHIS
}

/** Parses a decimal BSV string ("0.0001", "1.5") into satoshis without going through floating point. */
export function parseBsv (text: string): number {
  const t = text.trim()
  const m = /^(\d{1,8})(?:\.(\d{0,8}))?$/.exec(t)
  if (m == null) throw new Error(`"${text}" is not an amount in BSV (up to 8 decimals)`)
  const sats = Number(m[1]) * SATS_PER_BSV + Number((m[2] ?? '').padEnd(8, '0'))
  if (!isSatoshis(sats)) throw new Error(`"${text}" is more than all the bitcoin there is`)
  return sats
}

/** Parses a whole number of satoshis typed by a person. */
export function parseSats (text: string): number {
  const t = text.trim().replace(/[ _,]/g, '')
  if (!/^\d{1,16}$/.test(t)) throw new Error(`"${text}" is not a whole number of satoshis`)
  const n = Number(t)
  if (!isSatoshis(n)) throw new Error(`"${text}" is more than all the bitcoin there is`)
  return n
}

/** BSV decimal string for display and URIs: 150000 -> "0.0015". */
export function formatBsv (sats: number): string {
  const whole = Math.floor(sats / SATS_PER_BSV)
  const frac = String(sats % SATS_PER_BSV).padStart(8, '0').replace(/0+$/, '')
  return frac === '' ? String(whole) : `${whole}.${frac}`
}

// ---------- amounts as people type them ----------

export type AmountUnit = 'sats' | 'bsv'

/** A typed amount that cannot be read; the message is for the person, in plain words. */
export class AmountError extends Error {}

/** The decimal separator of a locale ("." in en-US, "," in de-DE), by Intl; "." if unknown. */
export function decimalSeparatorOf (locale?: string): '.' | ',' {
  try {
    const part = new Intl.NumberFormat(locale).formatToParts(1.5).find(p => p.type === 'decimal')
    return part?.value === ',' ? ',' : '.'
  } catch { return '.' }
}

/** "1,000,000" / "1.000.000" / "1 000 000": digits in groups of three after the first. */
function grouped (text: string, sep: string): string | undefined {
  const parts = text.split(sep)
  if (parts.length < 2) return undefined
  if (!/^\d{1,3}$/.test(parts[0]!) || !parts.slice(1).every(p => /^\d{3}$/.test(p))) return undefined
  return parts.join('')
}

/**
 * Reads an amount as a person writes it, in sats or BSV, with their locale's decimal
 * separator ('.' or ','). Grouping by spaces, and by the separator that is not the decimal
 * one in groups of three, is accepted. "1,5" is never silently 15: in BSV it is one and a
 * half (whichever separator the locale uses, when it cannot be grouping); in sats it is refused.
 * Returns whole satoshis; throws AmountError with a plain message.
 */
export function parseAmount (text: string, unit: AmountUnit, decimalSep: '.' | ',' = '.'): number {
  let t = text.trim().replace(/[\s\u00a0\u202f_']/g, '')
  if (t === '') throw new AmountError('Enter an amount.')
  if (/^[-−]/.test(t)) throw new AmountError('Enter an amount above zero.')
  if (/^\+/.test(t)) t = t.slice(1)
  if (!/^[\d.,]+$/.test(t) || !/\d/.test(t)) throw new AmountError(unit === 'sats' ? 'Enter the amount in digits, for example 25000.' : `Enter the amount in digits, for example 0${decimalSep}00025.`)
  const groupSep = decimalSep === '.' ? ',' : '.'
  // Grouping by the locale's group separator, in threes: "1,000,000" (en) or "1.000.000" (de).
  const beforeDecimal = t.split(decimalSep)
  if (beforeDecimal.length > 2) throw new AmountError('The amount has more than one decimal point.')
  let whole = beforeDecimal[0]!
  let frac = beforeDecimal[1]
  if (whole.includes(groupSep)) {
    const g = grouped(whole, groupSep)
    if (g !== undefined) whole = g
    else if (frac === undefined && whole.split(groupSep).length === 2) {
      // Not grouping ("1,5" where ',' groups thousands): a decimal written the other way.
      [whole, frac] = whole.split(groupSep) as [string, string]
    } else throw new AmountError('The amount is not written in a way Handover can read. Use digits and at most one decimal point.')
  }
  if (whole === '') whole = '0'
  if (unit === 'sats') {
    if (frac !== undefined && /[1-9]/.test(frac)) throw new AmountError('Satoshis are whole numbers: there is no half satoshi. To enter part of a BSV, switch the unit to BSV.')
    if (whole.length > 16) throw new AmountError('That is more than all the bitcoin there is (21 million BSV).')
    const n = Number(whole)
    if (n === 0) throw new AmountError('Enter an amount of at least 1 sat.')
    if (!isSatoshis(n)) throw new AmountError('That is more than all the bitcoin there is (21 million BSV).')
    return n
  }
  const f = (frac ?? '').replace(/0+$/, '')
  if (f.length > 8) throw new AmountError('BSV has at most 8 decimal places (1 sat is 0.00000001 BSV).')
  if (whole.length > 8) throw new AmountError('That is more than all the bitcoin there is (21 million BSV).')
  const n = Number(whole) * SATS_PER_BSV + Number(f.padEnd(8, '0'))
  if (n === 0) throw new AmountError('Enter an amount of at least 1 sat (0.00000001 BSV).')
  if (!isSatoshis(n)) throw new AmountError('That is more than all the bitcoin there is (21 million BSV).')
  return n
}
