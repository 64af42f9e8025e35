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
