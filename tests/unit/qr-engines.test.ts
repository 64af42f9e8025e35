// The scanner's pixel decoders (the functions its worker runs): zxing-cpp and the jsQR
// fallback both read our codes and BIP21 codes, dark-mode (inverted) ones included, and
// find nothing in a frame without a code; zxing-cpp also reads moiré-striped and
// glare-washed ones.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import QRCode from 'qrcode'
import { jsqrDecode, loadZxing, type Pixels } from '../../src/link/qr-engines.ts'
import { encodeSdpText } from '../../src/core/sdp/index.ts'

/** The code as a camera-sized RGBA frame: `scale` px per module, on a grey background. */
function frame (text: string, opts: { invert?: boolean, scale?: number, moire?: boolean, glare?: boolean } = {}): Pixels {
  const alnum = /^[0-9A-Z $%*+\-./:]*$/.test(text)
  const qr = QRCode.create((alnum ? [{ data: text, mode: 'alphanumeric' }] : text) as string, { errorCorrectionLevel: 'M' })
  const n = qr.modules.size; const scale = opts.scale ?? 4; const quiet = 4
  const width = 480; const height = 360
  const data = new Uint8ClampedArray(width * height * 4).fill(90)
  const x0 = Math.floor((width - (n + 2 * quiet) * scale) / 2); const y0 = Math.floor((height - (n + 2 * quiet) * scale) / 2)
  for (let y = 0; y < (n + 2 * quiet) * scale; y++) {
    for (let x = 0; x < (n + 2 * quiet) * scale; x++) {
      const mx = Math.floor(x / scale) - quiet; const my = Math.floor(y / scale) - quiet
      const dark = mx >= 0 && my >= 0 && mx < n && my < n && qr.modules.get(my, mx) === 1
      let v = dark !== (opts.invert === true) ? 20 : 235
      // A screen filmed through its own pixel grid: light stripes darkened to as little as 40 %.
      if (opts.moire === true) v *= 0.7 + 0.3 * Math.sin((x0 + x) * 0.52 + (y0 + y) * 0.2 + 4 * Math.sin((y0 + y) * 0.03))
      const i = ((y0 + y) * width + x0 + x) * 4
      data[i] = data[i + 1] = data[i + 2] = v; data[i + 3] = 255
    }
  }
  // A lamp reflected in the screen, off centre: up to +250 grey levels, fading over ~55 px.
  if (opts.glare === true) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4
        const v = Math.min(255, data[i]! + 250 * Math.exp(-((x - 265) ** 2 + (y - 205) ** 2) / (2 * 55 * 55)))
        data[i] = data[i + 1] = data[i + 2] = v
      }
    }
  }
  return { data, width, height }
}

const wasm = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
const offer = encodeSdpText('offer', readFileSync(new URL('../fixtures/sdp/chromium-offer.txt', import.meta.url), 'utf8'))
const bip21 = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.0002&label=Caf%C3%A9'

describe('QR pixel decoders', () => {
  it('zxing-cpp reads an offer and a BIP21 code, plain and inverted (dark mode)', async () => {
    const zxing = await loadZxing({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) })
    for (const text of [offer, bip21]) {
      expect(await zxing(frame(text))).toEqual([text])
      expect(await zxing(frame(text, { invert: true }))).toEqual([text])
    }
    const empty = frame(bip21); empty.data.fill(128)
    expect(await zxing(empty)).toEqual([])
  })

  it('zxing-cpp reads a code striped by moiré (the camera filming a screen), on its second pass', async () => {
    const zxing = await loadZxing({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) })
    for (const text of [offer, bip21]) expect(await zxing(frame(text, { moire: true, scale: 6 }))).toEqual([text])
  })

  it('zxing-cpp reads a code washed out by glare (a lamp reflected in the screen), on its third pass', async () => {
    const zxing = await loadZxing({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) })
    for (const text of [offer, bip21]) expect(await zxing(frame(text, { glare: true }))).toEqual([text])
  })

  it('the jsQR fallback reads inverted codes too', () => {
    expect(jsqrDecode(frame(bip21))).toEqual([bip21])
    expect(jsqrDecode(frame(offer, { invert: true }))).toEqual([offer])
  })
})
