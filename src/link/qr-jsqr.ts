// jsQR alone, for the main-thread fallback: importing it does not pull in zxing-wasm.
import jsQR from 'jsqr'
import type { Pixels } from './qr-engines.ts'

/** jsQR, trying the inverted image too so dark-mode codes read. */
export function jsqrDecode (p: Pixels): string[] {
  const r = jsQR(p.data, p.width, p.height, { inversionAttempts: 'attemptBoth' })
  return r !== null && r.data !== '' ? [r.data] : []
}
