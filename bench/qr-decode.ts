// QR decoding on the committed camera-like frames (bench/qr-frames, made by make.ts):
// share of frames read correctly and time per frame, for the scanner's engine (zxing-cpp
// via zxing-wasm, exactly the decode function its worker runs) and for jsQR (the old
// scanner; inverted images tried too, as its fallback role now does) in the same run.
// Native BarcodeDetector is absent on Linux, so it is not measured here.
// Run alone: npx tsx bench/qr-decode.ts   (needs ffmpeg to read the JPEGs)
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { jsqrDecode, loadZxing, type Pixels } from '../src/link/qr-engines.ts'

const here = dirname(fileURLToPath(import.meta.url))
const emit = (metric: string, value: number, unit: string): void => { console.log(JSON.stringify({ metric, value, unit })) }
const round = (x: number, k = 10): number => Math.round(x * k) / k
const ROUNDS = 3

interface Frame { file: string, code: string, degradation: string, text: string }
const manifest = JSON.parse(readFileSync(join(here, 'qr-frames/manifest.json'), 'utf8')) as Frame[]

function pixels (file: string): Pixels {
  const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file], { encoding: 'utf8' })
  const [width, height] = probe.trim().split(',').map(Number) as [number, number]
  const raw = execFileSync('ffmpeg', ['-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 64 << 20 })
  return { data: new Uint8ClampedArray(raw.buffer, raw.byteOffset, raw.byteLength), width, height }
}

const frames = manifest.map(f => ({ ...f, px: pixels(join(here, 'qr-frames', f.file)) }))
const wasm = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
const zxing = await loadZxing({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) })

async function measure (decode: (p: Pixels) => Promise<string[]> | string[]): Promise<{ pct: number, ms: number, missed: string[] }> {
  for (const f of frames.slice(0, 3)) await decode(f.px) // warm-up (JIT, wasm tiers)
  const missed: string[] = []
  let ok = 0
  const t0 = performance.now()
  for (let r = 0; r < ROUNDS; r++) {
    for (const f of frames) {
      const texts = await decode(f.px)
      if (r === 0) { if (texts.includes(f.text)) ok++; else missed.push(`${f.code}/${f.degradation}`) }
    }
  }
  const ms = (performance.now() - t0) / (ROUNDS * frames.length)
  return { pct: 100 * ok / frames.length, ms, missed }
}

const ours = await measure(zxing)
const js = await measure(jsqrDecode)
emit('qr_decode_success_pct', round(ours.pct), '%')
emit('qr_decode_ms_per_frame', round(ours.ms, 100), 'ms')
emit('qr_decode_success_pct_jsqr', round(js.pct), '%')
emit('qr_decode_ms_per_frame_jsqr', round(js.ms, 100), 'ms')
console.error(`qr-decode: ${frames.length} frames; zxing missed: ${ours.missed.join(', ') || 'none'}; jsQR missed: ${js.missed.join(', ') || 'none'}`)
