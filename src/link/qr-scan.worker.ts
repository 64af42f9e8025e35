// Decodes camera frames off the main thread, so the screen stays smooth on a slow phone
// while the scanner runs. zxing-cpp (WebAssembly) where it instantiates, else jsQR.
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url'
import { jsqrDecode, loadZxing, type Pixels, type PixelDecoder } from './qr-engines.ts'
import type { FromDecodeWorker, ToDecodeWorker, WorkerEngine } from './qr-scan-protocol.ts'

declare const self: DedicatedWorkerGlobalScope

let decode: PixelDecoder | undefined
let canvas: OffscreenCanvas | undefined
let ctx: OffscreenCanvasRenderingContext2D | null = null

const post = (m: FromDecodeWorker): void => { self.postMessage(m) }

function canReadBitmaps (): boolean {
  try {
    return typeof OffscreenCanvas === 'function' && new OffscreenCanvas(1, 1).getContext('2d') !== null
  } catch {
    return false
  }
}

function drawn (src: ImageBitmap | VideoFrame, width: number, height: number): Pixels {
  if (canvas === undefined || canvas.width !== width || canvas.height !== height) {
    canvas = new OffscreenCanvas(width, height)
    ctx = canvas.getContext('2d', { willReadFrequently: true })
  }
  if (ctx === null) throw new Error('no 2d context in the worker')
  ctx.drawImage(src, 0, 0, width, height)
  return ctx.getImageData(0, 0, width, height)
}

let yuv = new Uint8Array(0)
let rgba = new Uint8ClampedArray(0)

/**
 * The camera's frame as grey RGBA. A YUV frame's luma plane is all a QR decoder needs, so
 * it is copied out as is (no colour conversion); RGB frames are copied; anything else
 * (an opaque GPU frame) is drawn.
 */
async function framePixels (f: VideoFrame): Promise<Pixels> {
  const width = f.visibleRect?.width ?? f.codedWidth; const height = f.visibleRect?.height ?? f.codedHeight
  const format = f.format
  if (format === null) return drawn(f, width, height)
  const size = f.allocationSize()
  if (yuv.length < size) yuv = new Uint8Array(size)
  const layout = await f.copyTo(yuv)
  const n = width * height
  if (rgba.length !== n * 4) rgba = new Uint8ClampedArray(n * 4)
  const out = new Uint32Array(rgba.buffer)
  const { offset, stride } = layout[0]!
  if (/^(I4|NV12)/.test(format)) {
    // Little-endian RGBA words: grey = luma in R, G and B, alpha 255.
    for (let y = 0; y < height; y++) {
      const row = offset + y * stride; const o = y * width
      for (let x = 0; x < width; x++) out[o + x] = 0xff000000 | (yuv[row + x]! * 0x010101)
    }
  } else {
    const bgr = format.startsWith('BGR')
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = offset + y * stride + x * 4; const o = (y * width + x) * 4
        rgba[o] = yuv[bgr ? i + 2 : i]!; rgba[o + 1] = yuv[i + 1]!; rgba[o + 2] = yuv[bgr ? i : i + 2]!; rgba[o + 3] = 255
      }
    }
  }
  return { data: rgba, width, height }
}

async function init (want: 'auto' | 'jsqr'): Promise<WorkerEngine> {
  if (want === 'auto') {
    try {
      // Our own hashed copy of the .wasm, precached by the service worker: never the CDN.
      decode = await loadZxing({ locateFile: (path: string, prefix: string) => path.endsWith('.wasm') ? new URL(wasmUrl, self.location.href).href : prefix + path })
      return 'zxing'
    } catch {
      // No WebAssembly, or a CSP without 'wasm-unsafe-eval': the pure-JS decoder still reads.
    }
  }
  decode = async p => jsqrDecode(p)
  return 'jsqr'
}

interface TrackProcessorCtor { new (init: { track: MediaStreamTrack, maxBufferSize?: number }): { readable: ReadableStream<VideoFrame> } }

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * Reads the camera's frames straight from the stream, decoding at most `fps` a second,
 * one at a time: a slow phone simply decodes fewer frames. Between decodes nothing is
 * read, so the processor's one-frame buffer drops the stale ones and the next read is
 * a fresh frame.
 */
async function watch (frames: ReadableStream<VideoFrame>, fps: number): Promise<void> {
  if (decode === undefined) throw new Error('decoder not initialised')
  const reader = frames.getReader()
  const interval = 1000 / fps
  try {
    for (;;) {
      const t0 = performance.now()
      const { value: frame, done } = await reader.read()
      if (done) throw new Error('the camera stopped')
      let px: Pixels
      try {
        px = await framePixels(frame)
      } finally {
        frame.close() // at once: the camera reuses a small pool of buffers
      }
      const texts = await decode(px)
      if (texts.length > 0) post({ type: 'seen', texts })
      await sleep(Math.max(0, interval - (performance.now() - t0)))
    }
  } finally {
    reader.cancel().catch(() => {})
  }
}

self.onmessage = async (e: MessageEvent<ToDecodeWorker>) => {
  const m = e.data
  if (m.type === 'init') {
    const engine = await init(m.engine)
    post({ type: 'ready', engine, bitmaps: canReadBitmaps(), videoFrames: typeof VideoFrame === 'function', trackProcessor: typeof MediaStreamTrackProcessor === 'function' })
    return
  }
  if (m.type === 'watch') {
    try {
      const frames = 'frames' in m
        ? m.frames
        : new (MediaStreamTrackProcessor as unknown as TrackProcessorCtor)({ track: m.track, maxBufferSize: 1 }).readable
      await watch(frames, m.fps)
    } catch (err) {
      post({ type: 'watch-ended', error: String(err) })
    }
    return
  }
  try {
    if (decode === undefined) throw new Error('decoder not initialised')
    const px = 'videoFrame' in m
      ? await framePixels(m.videoFrame)
      : 'bitmap' in m ? drawn(m.bitmap, m.bitmap.width, m.bitmap.height) : { data: new Uint8ClampedArray(m.data), width: m.width, height: m.height }
    if ('videoFrame' in m) m.videoFrame.close()
    if ('bitmap' in m) m.bitmap.close()
    post({ type: 'result', id: m.id, texts: await decode(px) })
  } catch (err) {
    if ('videoFrame' in m) m.videoFrame.close()
    if ('bitmap' in m) m.bitmap.close()
    post({ type: 'result', id: m.id, texts: [], error: String(err) })
  }
}
