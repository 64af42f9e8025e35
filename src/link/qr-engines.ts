// The two QR decoders that run on raw pixels, shared by the scanner's worker and the
// benchmark (bench/qr-decode.ts) so both measure exactly what the phone runs.
// zxing-cpp (zxing-wasm) reads more damaged frames than jsQR at a fraction of its time;
// jsQR is pure JavaScript and stays for engines without WebAssembly (or whose CSP
// predates 'wasm-unsafe-eval').
import { prepareZXingModule, readBarcodes, type ReaderOptions, type ZXingModuleOverrides } from 'zxing-wasm/reader'

/** RGBA pixels, as in ImageData (which Node lacks). */
export interface Pixels { data: Uint8ClampedArray, width: number, height: number }

export type PixelDecoder = (p: Pixels) => Promise<string[]>

const ZXING_OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  // tryInvert: dark-mode codes (light modules on dark) from other wallets.
  tryHarder: true,
  tryInvert: true,
  tryRotate: true,
  tryDownscale: true,
  maxNumberOfSymbols: 1
}

/**
 * zxing-cpp, instantiated with `overrides` — always pass `locateFile` (our own hashed
 * asset) or `wasmBinary`: the library's default fetches the .wasm from a CDN, which the
 * CSP forbids and which would not work offline.
 */
export async function loadZxing (overrides: ZXingModuleOverrides): Promise<PixelDecoder> {
  if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available')
  await prepareZXingModule({ overrides, fireImmediately: true })
  return async p => (await readBarcodes(p as ImageData, ZXING_OPTIONS))
    .filter(r => r.isValid && r.text !== '')
    .map(r => r.text)
}

export { jsqrDecode } from './qr-jsqr.ts'
