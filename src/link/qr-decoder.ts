// One frame decoder for the scanner, whatever the engine: the platform's BarcodeDetector
// where it reads QR codes (Android Chrome, macOS), else zxing-cpp in a Worker (frames
// transferred, not copied), else jsQR in that Worker (no WebAssembly), else jsQR on the
// main thread (no Worker at all). Each decode takes one frame of the video and resolves
// with the texts of the codes in it.
import type { FromDecodeWorker, ToDecodeWorker } from './qr-scan-protocol.ts'

export type DecoderEngine = 'native' | 'zxing' | 'jsqr' | 'jsqr-main'
/** 'auto' picks the best available; the others force one (tests and benchmarks). */
export type DecoderChoice = 'auto' | DecoderEngine

export interface FrameDecoder {
  readonly engine: DecoderEngine
  decode: (video: HTMLVideoElement) => Promise<string[]>
  /**
   * Where the engine can take the camera's frames itself, off the main thread: starts
   * doing so, calling `onTexts` with the codes of each frame that has any, and returns a
   * promise that rejects if watching stops by itself (then decode() frame by frame).
   * Undefined where this browser cannot (no MediaStreamTrackProcessor).
   */
  watch?: (track: MediaStreamTrack, fps: number, onTexts: (texts: string[]) => void) => Promise<never> | undefined
  close: () => void
}

/** Frames are scaled down to this many pixels on their long side: a phone screen's code
 *  needs far less, and decoding time grows with the pixel count. */
const MAX_SIDE = 1280
/** How long the worker may take to start (the .wasm comes from the precache or the network). */
const READY_MS = 15_000

function frameSize (video: HTMLVideoElement): { width: number, height: number } {
  const w = video.videoWidth; const h = video.videoHeight
  const k = Math.min(1, MAX_SIDE / Math.max(w, h))
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) }
}

/** Reads pixels on the main thread (only where the worker cannot read bitmaps itself). */
class FrameGrabber {
  private readonly canvas = document.createElement('canvas')
  private readonly ctx = this.canvas.getContext('2d', { willReadFrequently: true })
  pixels (video: HTMLVideoElement): ImageData {
    if (this.ctx === null) throw new Error('no 2d canvas')
    const { width, height } = frameSize(video)
    if (this.canvas.width !== width || this.canvas.height !== height) { this.canvas.width = width; this.canvas.height = height }
    this.ctx.drawImage(video, 0, 0, width, height)
    return this.ctx.getImageData(0, 0, width, height)
  }
}

interface BarcodeDetectorLike { detect: (src: CanvasImageSource) => Promise<Array<{ rawValue: string }>> }
interface BarcodeDetectorCtor {
  new (o: { formats: string[] }): BarcodeDetectorLike
  getSupportedFormats: () => Promise<string[]>
}

/** How long the platform may take to list its formats before we decode ourselves. */
const FORMATS_MS = 2000

/** The platform's formats, or none if it fails to say (throws, rejects, hangs, answers nonsense). */
async function supportedFormats (BD: BarcodeDetectorCtor): Promise<string[]> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const formats: unknown = await Promise.race([
      BD.getSupportedFormats(),
      new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error('no answer')) }, FORMATS_MS) })
    ])
    return Array.isArray(formats) ? formats.filter((f): f is string => typeof f === 'string') : []
  } catch {
    return []
  } finally {
    clearTimeout(timer)
  }
}

async function nativeDecoder (): Promise<FrameDecoder | undefined> {
  const BD = (globalThis as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector
  if (typeof BD !== 'function') return undefined
  try {
    if (!(await supportedFormats(BD)).includes('qr_code')) return undefined
    const det = new BD({ formats: ['qr_code'] })
    // Not every platform detector reads light-on-dark codes: every other frame is shown
    // to it inverted (a GPU filter, cheap), where the canvas can filter.
    const canvas = document.createElement('canvas')
    const ctx = canvas.getContext('2d')
    const canInvert = ctx !== null && 'filter' in ctx
    let n = 0
    return {
      engine: 'native',
      decode: async video => {
        n++
        let src: CanvasImageSource = video
        if (canInvert && n % 2 === 0) {
          const { width, height } = frameSize(video)
          if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height }
          ctx.filter = 'invert(1)'
          ctx.drawImage(video, 0, 0, width, height)
          src = canvas
        }
        return (await det.detect(src)).map(b => b.rawValue).filter(t => t !== '')
      },
      close: () => {}
    }
  } catch {
    return undefined
  }
}

interface TrackProcessorCtor { new (init: { track: MediaStreamTrack, maxBufferSize?: number }): { readable: ReadableStream<VideoFrame> } }

interface WorkerInfo { engine: 'zxing' | 'jsqr', bitmaps: boolean, videoFrames: boolean, trackProcessor: boolean }

async function workerDecoder (engine: 'auto' | 'jsqr'): Promise<FrameDecoder> {
  const worker = new Worker(new URL('./qr-scan.worker.ts', import.meta.url), { type: 'module', name: 'qr-decode' })
  const pending = new Map<number, { resolve: (t: string[]) => void, reject: (e: Error) => void }>()
  let failed: Error | undefined
  /** The camera being watched by the worker, if any: its texts go here, its end there. */
  let watching: { onTexts: (texts: string[]) => void, ended: (e: Error) => void, stop: () => void } | undefined
  const fail = (e: Error): void => {
    failed ??= e
    for (const p of pending.values()) p.reject(e)
    pending.clear()
    watching?.ended(e)
  }
  const ready = new Promise<WorkerInfo>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('the decoder did not start')) }, READY_MS)
    worker.onmessage = (e: MessageEvent<FromDecodeWorker>) => {
      const m = e.data
      if (m.type === 'ready') { clearTimeout(timer); resolve(m); return }
      if (m.type === 'seen') { watching?.onTexts(m.texts); return }
      if (m.type === 'watch-ended') { watching?.ended(new Error(m.error)); return }
      const p = pending.get(m.id)
      pending.delete(m.id)
      if (m.error !== undefined) p?.reject(new Error(m.error)); else p?.resolve(m.texts)
    }
    worker.onerror = e => { e.preventDefault(); clearTimeout(timer); const err = new Error(`decoder worker failed: ${e.message}`); reject(err); fail(err) }
  })
  worker.postMessage({ type: 'init', engine } satisfies ToDecodeWorker)
  let info: WorkerInfo
  try {
    info = await ready
  } catch (e) {
    worker.terminate()
    throw e
  }
  // Cheapest first for the main thread: a VideoFrame wraps the camera's buffer (no pixel
  // conversion here; measured on a 4x-throttled Chromium at 720p: ~2% of the main thread,
  // against ~60% to make an ImageBitmap or read a canvas).
  let videoFrames = info.videoFrames && typeof VideoFrame === 'function'
  let bitmaps = info.bitmaps && typeof createImageBitmap === 'function'
  let grabber: FrameGrabber | undefined
  let ids = 0
  const send = async (video: HTMLVideoElement): Promise<ToDecodeWorker> => {
    const id = ++ids
    if (videoFrames) {
      try {
        return { type: 'frame', id, videoFrame: new VideoFrame(video) }
      } catch {
        videoFrames = false // this engine cannot wrap a video element's frame
      }
    }
    if (bitmaps) {
      try {
        const { width, height } = frameSize(video)
        const opts = width !== video.videoWidth ? { resizeWidth: width, resizeHeight: height } : {}
        return { type: 'frame', id, bitmap: await createImageBitmap(video, opts) }
      } catch {
        bitmaps = false // this engine cannot snapshot a video: read the pixels here instead
      }
    }
    grabber ??= new FrameGrabber()
    const img = grabber.pixels(video)
    return { type: 'frame', id, data: img.data.buffer as ArrayBuffer, width: img.width, height: img.height }
  }
  /**
   * Hands the camera to the worker: the main thread then does nothing per frame (it made
   * a VideoFrame, ~15% of a 4x-throttled main thread at 8 decodes a second). A clone of
   * the track, so stopping it leaves the preview alone.
   */
  const watch = (track: MediaStreamTrack, fps: number, onTexts: (texts: string[]) => void): Promise<never> | undefined => {
    if (failed !== undefined || watching !== undefined) return undefined
    const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorCtor }).MediaStreamTrackProcessor
    if (Processor === undefined && !info.trackProcessor) return undefined
    const clone = track.clone()
    try {
      if (Processor !== undefined) {
        const frames = new Processor({ track: clone, maxBufferSize: 1 }).readable
        worker.postMessage({ type: 'watch', frames, fps } satisfies ToDecodeWorker, [frames])
      } else {
        worker.postMessage({ type: 'watch', track: clone, fps } satisfies ToDecodeWorker, [clone])
      }
    } catch {
      clone.stop() // the stream or the track cannot be transferred here: decode frame by frame
      return undefined
    }
    return new Promise<never>((_resolve, reject) => {
      watching = {
        onTexts,
        ended: e => { watching = undefined; clone.stop(); reject(e) },
        stop: () => { clone.stop() }
      }
    })
  }
  return {
    engine: info.engine,
    watch,
    decode: async video => {
      if (failed !== undefined) throw failed
      const msg = await send(video)
      if (msg.type !== 'frame') throw new Error('unreachable')
      return await new Promise<string[]>((resolve, reject) => {
        pending.set(msg.id, { resolve, reject })
        try {
          worker.postMessage(msg, 'videoFrame' in msg ? [msg.videoFrame] : 'bitmap' in msg ? [msg.bitmap] : [msg.data])
        } catch {
          pending.delete(msg.id)
          if ('videoFrame' in msg) { msg.videoFrame.close(); videoFrames = false }
          if ('bitmap' in msg) { msg.bitmap.close(); bitmaps = false }
          // This kind of frame cannot be handed over here: skip this one, the next goes another way.
          resolve([])
        }
      })
    },
    close: () => { worker.terminate(); watching?.stop(); fail(new Error('decoder closed')) }
  }
}

async function mainThreadDecoder (): Promise<FrameDecoder> {
  const { jsqrDecode } = await import('./qr-jsqr.ts')
  const grabber = new FrameGrabber()
  return { engine: 'jsqr-main', decode: async video => jsqrDecode(grabber.pixels(video)), close: () => {} }
}

/**
 * The engine to turn to when `engine` breaks mid-scan: a platform detector that fails
 * (Android Chrome without its detection service rejects every detect()) gives way to our
 * own worker; a dead worker to jsQR here.
 */
export function fallbackFor (engine: DecoderEngine): DecoderChoice | undefined {
  return engine === 'native' ? 'zxing' : engine === 'jsqr-main' ? undefined : 'jsqr-main'
}

/** The best decoder this browser offers (or the one asked for). */
export async function openDecoder (choice: DecoderChoice = 'auto'): Promise<FrameDecoder> {
  if (choice === 'auto' || choice === 'native') {
    const native = await nativeDecoder()
    if (native !== undefined) return native
  }
  if (choice !== 'jsqr-main' && typeof Worker === 'function') {
    try {
      return await workerDecoder(choice === 'jsqr' ? 'jsqr' : 'auto')
    } catch {
      // A browser that cannot start module workers: decode here, as before.
    }
  }
  return await mainThreadDecoder()
}
