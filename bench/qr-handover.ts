// The camera-only hand-over (issue 14): how many frames and how long the payee's phone
// films the payer's animated code before it holds the whole payment.
//
//   qr_handover_frames_{1,3}in      displayed frames until the payee has it all (median)
//   qr_handover_ms_{1,3}in          time from pointing the camera to holding it (median; goal ≤ 3000 ms for 3 inputs)
//   qr_handover_ms_20pct_loss_3in   the same with 20% of camera reads lost
//   qr_handover_beef_bytes_{1,3}in  the payment's BEEF (proven parents), bytes; the sealed envelope beside it
//
// Simulation, with real encode and real decode: the payment is sealed and cut into BC-UR
// fountain parts exactly as the app does (default fragment size and rate); each frame the
// payer's screen shows is drawn as a QR image (EC M, 4-module white quiet zone) at the size
// our e2e camera sees it (~460 px in a 640×480 picture), and the payee's reads run the app's
// decoder (src/link/qr-scan.ts) on that image. Camera timing, as modelled:
//   - the payer's screen changes frame every 1/8 s (CameraCode.svelte's FPS);
//   - the payee's scan loop (scanQrFromCamera, fps 15) decodes one camera picture, then
//     waits 1/15 s: each read takes the decoder's measured time plus 66.7 ms;
//   - a camera picture taken within 1/30 s (one exposure at 30 fps) after the screen changed
//     may blend two frames: counted as unreadable, never decoded;
//   - the payee starts filming at a random point of the animation (random start frame and
//     phase); with loss, each read is lost with the given probability (a hand, glare).
// The clock is the model's, not the wall's; the decoder's own time is measured and added.
// 15 runs per case (QR_BENCH_RUNS), seeded; the median is printed with the 90th percentile beside it.
import QRCode from 'qrcode'
import { PrivateKey, type Transaction } from '@bsv/sdk'
import { sealEnvelope } from '../src/core/camera/envelope.ts'
import { animatedCode, CodeReader, DEFAULT_FRAGMENT_BYTES as APP_FRAGMENT_BYTES } from '../src/core/camera/ur-frames.ts'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { loadZxing } from '../src/link/qr-engines.ts'
import { makePayment, makeRequest, minedParent, PAYER, spend, threeInputScenario } from '../tests/unit/protocol-fixtures.ts'
import { median, percentile } from './lib/stats.ts'
import { rng } from '../tests/unit/seeded-random.ts'

/** The app's default; QR_BENCH_FRAGMENT tries another. */
const DEFAULT_FRAGMENT_BYTES = Number(process.env.QR_BENCH_FRAGMENT ?? APP_FRAGMENT_BYTES)
const DISPLAY_FPS = 8
const SCAN_FPS = 15
const EXPOSURE_MS = 1000 / 30
const RUNS = Number(process.env.QR_BENCH_RUNS ?? 15)
const CAMERA_W = 640
const CAMERA_H = 480
const QR_PX = 460

/** The QR for `text` as the camera sees it: grey-level, white around, ~460 px wide, a little sensor noise. */
function cameraPicture (text: string, noise: () => number): { data: Uint8ClampedArray, width: number, height: number } {
  const qr = QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' })
  const n = qr.modules.size
  const total = n + 8
  const px = QR_PX / total
  const data = new Uint8ClampedArray(CAMERA_W * CAMERA_H * 4)
  const x0 = (CAMERA_W - QR_PX) / 2
  const y0 = (CAMERA_H - QR_PX) / 2
  for (let y = 0; y < CAMERA_H; y++) {
    for (let x = 0; x < CAMERA_W; x++) {
      const mx = Math.floor((x - x0) / px) - 4
      const my = Math.floor((y - y0) / px) - 4
      const dark = mx >= 0 && my >= 0 && mx < n && my < n && qr.modules.get(my, mx) === 1
      const v = (dark ? 40 : 220) + Math.round((noise() - 0.5) * 30)
      const i = (y * CAMERA_W + x) * 4
      data[i] = v; data[i + 1] = v; data[i + 2] = v; data[i + 3] = 255
    }
  }
  return { data, width: CAMERA_W, height: CAMERA_H }
}

interface Run { frames: number, ms: number, reads: number }

// The phone's scanner: zxing-cpp, as in its worker (the .wasm read from node_modules here).
const wasm = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
const decode = await loadZxing({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) })

async function film (sealed: Uint8Array, loss: number, seed: number): Promise<Run> {
  const r = rng(seed)
  const src = animatedCode(sealed, DEFAULT_FRAGMENT_BYTES)
  // The payer's screen has been animating for a while when the payee starts filming.
  const skip = Math.floor(r() * src.fragments * 2)
  for (let i = 0; i < skip; i++) src.next()
  const shown: string[] = []
  const frameAt = (k: number): string => { while (shown.length <= k) shown.push(src.next()); return shown[k]! }
  const phase = r() * (1000 / DISPLAY_FPS)
  const reader = new CodeReader()
  let t = 0
  let reads = 0
  for (;;) {
    const shownFor = (t + phase) % (1000 / DISPLAY_FPS)
    const k = Math.floor((t + phase) / (1000 / DISPLAY_FPS))
    let cost = 0
    reads++
    if (shownFor >= EXPOSURE_MS && r() >= loss) {
      const picture = cameraPicture(frameAt(k), r)
      // CPU time, not wall time: six engineers share two cores here, and a phone's scan
      // loop has its core to itself.
      const t0 = process.cpuUsage()
      const text = (await decode(picture))[0]
      const used = process.cpuUsage(t0)
      cost = (used.user + used.system) / 1000
      if (text !== undefined) {
        const p = reader.push(text)
        if (p.kind === 'done') return { frames: k + 1, ms: t + cost, reads }
        if (p.kind === 'refused') throw new Error(p.reason)
      }
    }
    t += cost + 1000 / SCAN_FPS
    if (t > 120_000) throw new Error('no hand-over within two minutes')
  }
}

async function oneInput (): Promise<Transaction> {
  const parent = minedParent(PAYER, [50_000], 800_000)
  return await spend([{ tx: parent, vout: 0 }], { outputs: makeRequest().outputs })
}

const cases = [
  { name: '1in', tx: await oneInput() },
  { name: '3in', tx: (await threeInputScenario()).tx }
]
const sender = PrivateKey.fromHex('5'.repeat(63) + '1')
for (const c of cases) {
  const beef = c.tx.toBEEF()
  const sealed = sealEnvelope(makePayment(c.tx.toHexBEEF()), sender)
  const fragments = animatedCode(sealed, DEFAULT_FRAGMENT_BYTES).fragments
  console.log(JSON.stringify({ metric: `qr_handover_beef_bytes_${c.name}`, value: beef.length, unit: 'bytes', sealed_bytes: sealed.length, fragments, fragment_bytes: DEFAULT_FRAGMENT_BYTES }))
  for (const loss of c.name === '3in' ? [0, 0.2] : [0]) {
    // The same seeds with and without loss: the lost reads are the only difference.
    const runs: Run[] = []
    for (let i = 0; i < RUNS; i++) runs.push(await film(sealed, loss, 1000 + i))
    const ms = runs.map(x => x.ms)
    const frames = runs.map(x => x.frames)
    if (loss === 0) console.log(JSON.stringify({ metric: `qr_handover_frames_${c.name}`, value: median(frames), unit: 'frames', p90: percentile(frames, 0.9), fragments, display_fps: DISPLAY_FPS }))
    const metric = loss === 0 ? `qr_handover_ms_${c.name}` : `qr_handover_ms_20pct_loss_${c.name}`
    console.log(JSON.stringify({ metric, value: Math.round(median(ms)), unit: 'ms', p90: Math.round(percentile(ms, 0.9)), goal_ms: c.name === '3in' && loss === 0 ? 3000 : undefined, reads_median: median(runs.map(x => x.reads)), display_fps: DISPLAY_FPS, scan_fps: SCAN_FPS, runs: RUNS }))
  }
}
