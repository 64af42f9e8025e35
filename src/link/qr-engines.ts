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
    const lit = await read({ data: lifted, width: p.width, height: p.height })
    if (lit.length > 0) return lit
    // Third pass, only on a second miss and where highlights are blown: a lamp's reflection washes part of the code out
    // to a few grey levels apart, under zxing's minimum local contrast, so that part
    // reads as blank. Stretching every neighbourhood to its own darkest..lightest range
    // brings those modules back; error correction covers what the glare truly erased.
    return stretchLocally(p, lifted) ? await read({ data: lifted, width: p.width, height: p.height }) : []
  }
}

/** Frames are split into cells this many times across their short side (about two
 *  modules each for a code that fills two thirds of the frame). */
const CELLS_ACROSS = 60
/** A smaller local range is noise (JPEG, sensor), not modules: not stretched beyond this. */
const MIN_RANGE = 16
/** A cell this light somewhere: highlights are blown, the glare the stretch is for. */
const BLOWN = 250

/**
 * Local contrast stretch of the green channel into grey `dst`: each pixel mapped from the
 * darkest..lightest of its surroundings (its cell and the eight around it, interpolated
 * between cell centres so no cell edges appear) to 0..255. Returns false, and writes
 * nothing, where no highlight is blown (no glare: the pass would only cost time).
 */
function stretchLocally (p: Pixels, dst: Uint8ClampedArray): boolean {
  const { data: src, width: w, height: h } = p
  const c = Math.max(4, Math.round(Math.min(w, h) / CELLS_ACROSS))
  const gw = Math.ceil(w / c); const gh = Math.ceil(h / c)
  const cellMax = new Uint8Array(gw * gh); const cellMin = new Uint8Array(gw * gh).fill(255)
  for (let y = 0; y < h; y++) {
    const row = Math.floor(y / c) * gw
    for (let gx = 0, x = 0; gx < gw; gx++) {
      let a = cellMax[row + gx]!; let b = cellMin[row + gx]!
      for (const end = Math.min(w, x + c); x < end; x++) {
        const v = src[(y * w + x) * 4 + 1]!
        if (v > a) a = v
        if (v < b) b = v
      }
      cellMax[row + gx] = a; cellMin[row + gx] = b
    }
  }
  let blown = false
  for (const v of cellMax) if (v >= BLOWN) { blown = true; break }
  if (!blown) return false
  const hi = new Float32Array(gw * gh); const lo = new Float32Array(gw * gh)
  for (let j = 0; j < gh; j++) {
    for (let i = 0; i < gw; i++) {
      let a = 0; let b = 255
      for (let jj = Math.max(0, j - 1); jj <= Math.min(gh - 1, j + 1); jj++) {
        for (let ii = Math.max(0, i - 1); ii <= Math.min(gw - 1, i + 1); ii++) {
          a = Math.max(a, cellMax[jj * gw + ii]!); b = Math.min(b, cellMin[jj * gw + ii]!)
        }
      }
      hi[j * gw + i] = a; lo[j * gw + i] = b
    }
  }
  // Bilinear weights between cell centres, per column once; per row, the grid row blended.
  const x0s = new Int32Array(w); const txs = new Float32Array(w)
  for (let x = 0; x < w; x++) {
    const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / c - 0.5))
    x0s[x] = Math.min(gw - 2, Math.floor(fx)); txs[x] = fx - x0s[x]!
  }
  const hiRow = new Float32Array(gw + 1); const loRow = new Float32Array(gw + 1)
  for (let y = 0; y < h; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / c - 0.5)); const y0 = Math.floor(fy); const y1 = Math.min(gh - 1, y0 + 1); const ty = fy - y0
    for (let i = 0; i < gw; i++) {
      hiRow[i] = hi[y0 * gw + i]! + (hi[y1 * gw + i]! - hi[y0 * gw + i]!) * ty
      loRow[i] = lo[y0 * gw + i]! + (lo[y1 * gw + i]! - lo[y0 * gw + i]!) * ty
    }
    hiRow[gw] = hiRow[gw - 1]!; loRow[gw] = loRow[gw - 1]! // a one-cell-wide frame
    for (let x = 0; x < w; x++) {
      const k = Math.max(0, x0s[x]!); const t = txs[x]!
      const H = hiRow[k]! + (hiRow[k + 1]! - hiRow[k]!) * t
      const L = loRow[k]! + (loRow[k + 1]! - loRow[k]!) * t
      const i = (y * w + x) * 4
      const v = 255 * (src[i + 1]! - L) / Math.max(MIN_RANGE, H - L)
      dst[i] = v; dst[i + 1] = v; dst[i + 2] = v; dst[i + 3] = 255
    }
  }
  return true
}
/** sqrt(v/255)·255 for every channel; alpha stays. */
const SQRT_LUT = Uint8ClampedArray.from({ length: 256 }, (_, v) => Math.round(Math.sqrt(v / 255) * 255))
function liftDarks (src: Uint8ClampedArray, dst: Uint8ClampedArray): void {
  for (let i = 0; i < src.length; i += 4) {
    dst[i] = SQRT_LUT[src[i]!]!; dst[i + 1] = SQRT_LUT[src[i + 1]!]!; dst[i + 2] = SQRT_LUT[src[i + 2]!]!; dst[i + 3] = 255
  }
}

export { jsqrDecode } from './qr-jsqr.ts'
