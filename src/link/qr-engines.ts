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
  const read = async (p: Pixels): Promise<string[]> => (await readBarcodes(p as ImageData, ZXING_OPTIONS))
    .filter(r => r.isValid && r.text !== '')
    .map(r => r.text)
  let lifted = new Uint8ClampedArray(0)
  return async p => {
    const texts = await read(p)
    if (texts.length > 0) return texts
    // Second pass, only on a miss (a few ms): a screen filmed through its own pixel grid
    // (moiré) darkens light modules by up to half in stripes, and zxing's local threshold
    // then cuts them as dark. Dark modules stay near black whatever the stripe, so lifting
    // the dark end (gamma 0.5) puts every light module well clear of them again.
    if (lifted.length !== p.data.length) lifted = new Uint8ClampedArray(p.data.length)
    liftDarks(p.data, lifted)
    return await read({ data: lifted, width: p.width, height: p.height })
  }
}

/** sqrt(v/255)·255 for every channel; alpha stays. */
const SQRT_LUT = Uint8ClampedArray.from({ length: 256 }, (_, v) => Math.round(Math.sqrt(v / 255) * 255))
function liftDarks (src: Uint8ClampedArray, dst: Uint8ClampedArray): void {
  for (let i = 0; i < src.length; i += 4) {
    dst[i] = SQRT_LUT[src[i]!]!; dst[i + 1] = SQRT_LUT[src[i + 1]!]!; dst[i + 2] = SQRT_LUT[src[i + 2]!]!; dst[i + 3] = 255
  }
}

export { jsqrDecode } from './qr-jsqr.ts'
