// RFC 9285 base45: the QR alphanumeric alphabet, so a binary payload fits a QR at
// 5.5 bits per char and every scanner hands it back as plain text, byte for byte.

export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:'

const DECODE: ReadonlyMap<string, number> = new Map(
  [...BASE45_ALPHABET].map((ch, i) => [ch, i])
)

export class Base45Error extends Error {
  override name = 'Base45Error'
}

export function base45Encode (bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i]! * 256 + bytes[i + 1]!
    const c = n % 45; n = (n - c) / 45
    const d = n % 45; const e = (n - d) / 45
    out += BASE45_ALPHABET[c]! + BASE45_ALPHABET[d]! + BASE45_ALPHABET[e]!
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1]!
    out += BASE45_ALPHABET[n % 45]! + BASE45_ALPHABET[Math.floor(n / 45)]!
  }
  return out
}

export function base45Decode (text: string): Uint8Array {
  if (text.length % 3 === 1) throw new Base45Error(`base45 text has an impossible length (${text.length})`)
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0))
  const val = (i: number): number => {
    const v = DECODE.get(text[i]!)
    if (v === undefined) throw new Base45Error(`character ${JSON.stringify(text[i])} at position ${i} is not base45`)
    return v
  }
  let o = 0
  for (let i = 0; i < text.length; i += 3) {
    if (i + 2 < text.length) {
      const n = val(i) + val(i + 1) * 45 + val(i + 2) * 2025
      if (n > 0xffff) throw new Base45Error(`base45 group at position ${i} overflows two bytes`)
      out[o++] = n >> 8; out[o++] = n & 0xff
    } else {
      const n = val(i) + val(i + 1) * 45
      if (n > 0xff) throw new Base45Error(`base45 tail at position ${i} overflows one byte`)
      out[o++] = n
    }
  }
  return out
}

/**
 * Scanners may append a line break; never strip spaces, which are base45 digits
 * (a payload can start or end with one).
 */
export function stripLineBreaks (text: string): string {
  return text.replace(/^[\r\n\t]+|[\r\n\t]+$/g, '')
}
