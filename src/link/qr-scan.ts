// Reading QR codes from the camera. The decoding engine is chosen in qr-decoder.ts
// (BarcodeDetector, zxing-cpp in a Worker, jsQR); this module owns the camera and the
// frame loop, one frame in flight at a time so a slow phone never queues work. Where the
// worker can take the camera's frames itself (MediaStreamTrackProcessor, Chromium), it
// does, and the main thread only hears of the codes read.
// Loaded lazily by the UI.
import { fallbackFor, openDecoder, type DecoderChoice, type DecoderEngine, type FrameDecoder } from './qr-decoder.ts'

export type { DecoderChoice, DecoderEngine } from './qr-decoder.ts'

/**
 * Where the frames are taken: 'track' — the decoding worker reads the camera itself
 * (nothing per frame on the main thread); 'video' — the main thread takes each frame
 * from the <video> and hands it over (browsers without MediaStreamTrackProcessor).
 */
export type FrameSource = 'track' | 'video'

export interface ScanOptions {
  /** 'environment' (back, default) or 'user' (front). */
  facingMode?: 'environment' | 'user'
  /** Gets the live stream, e.g. to offer the torch where the camera has one. */
  onStream?: (stream: MediaStream) => void
  /**
   * Called with every code read; the scan ends with the first text this accepts.
   * Returning false keeps scanning, so a caller can collect many codes (an animated QR).
   */
  accept?: (text: string) => boolean
  signal?: AbortSignal
  /** Where to show the camera; a hidden element is used otherwise. */
  video?: HTMLVideoElement
  /** Most frames per second to try decoding. Default 8. */
  fps?: number
  /** Forces a decoding engine (tests, benchmarks). Default 'auto': the best available. */
  decoder?: DecoderChoice
  /**
   * 'video' forces frames taken from the <video> on the main thread, the path of browsers
   * without MediaStreamTrackProcessor (tests, benchmarks). Default 'auto'.
   */
  frames?: 'auto' | 'video'
  /** Tells which engine decodes and where its frames come from (once known, and again if that changes). */
  onDecoder?: (engine: DecoderEngine, frames: FrameSource) => void
}

const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await new Promise<void>(resolve => {
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done (): void { clearTimeout(t); signal?.removeEventListener('abort', done); resolve() }
  })
}

/**
 * Lets the decoder watch the camera itself. Resolves with the first accepted text, or
 * undefined when the scan is cancelled, when this decoder cannot watch, or when watching
 * stopped by itself (then the caller goes on frame by frame).
 */
async function watchCamera (decoder: FrameDecoder, track: MediaStreamTrack, fps: number, opts: ScanOptions): Promise<string | undefined> {
  let finish: (text: string | undefined) => void = () => {}
  const result = new Promise<string | undefined>(resolve => { finish = resolve })
  let finished = false
  const ended = decoder.watch?.(track, fps, texts => {
    // Codes may still arrive between the accepted one and the worker's end: not for the caller.
    for (const text of texts) if (!finished && (opts.accept?.(text) ?? true)) { finished = true; finish(text) }
  })
  if (ended === undefined) return undefined
  opts.onDecoder?.(decoder.engine, 'track')
  ended.catch(() => { finish(undefined) })
  const onAbort = (): void => { finish(undefined) }
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  if (opts.signal?.aborted === true) onAbort()
  try {
    return await result
  } finally {
    finished = true
    opts.signal?.removeEventListener('abort', onAbort)
  }
}

/** Opens the back camera and resolves with the first accepted QR text. */
export async function scanQrFromCamera (opts: ScanOptions = {}): Promise<string> {
  // The decoder (worker, .wasm) starts while the camera opens.
  const decoderP = openDecoder(opts.decoder ?? 'auto')
  decoderP.catch(() => {})
  let stream: MediaStream
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      // A dense code needs pixels: ask for 720p, take what the camera has.
      video: { facingMode: opts.facingMode ?? 'environment', width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false
    })
  } catch (e) {
    void decoderP.then(d => { d.close() }, () => {})
    throw e
  }
  opts.onStream?.(stream)
  const video = opts.video ?? document.createElement('video')
  let decoder = await decoderP.catch(() => undefined)
  try {
    video.muted = true
    video.playsInline = true
    video.srcObject = stream
    await video.play()
    decoder ??= await openDecoder('jsqr-main')
    const fps = opts.fps ?? 8
    const stopIfAborted = (): void => { if (opts.signal?.aborted === true) throw new DOMException('scan cancelled', 'AbortError') }
    const track = stream.getVideoTracks()[0]
    /** Lets `d` watch the camera where it can; undefined: go on frame by frame with it. */
    const begin = async (d: FrameDecoder): Promise<string | undefined> => {
      if (track !== undefined && opts.frames !== 'video') {
        const text = await watchCamera(d, track, fps, opts)
        if (text !== undefined) return text
        stopIfAborted()
      }
      opts.onDecoder?.(d.engine, 'video')
      return undefined
    }
    const first = await begin(decoder)
    if (first !== undefined) return first
    const interval = 1000 / fps
    for (;;) {
      stopIfAborted()
      const t0 = performance.now()
      if (video.videoWidth > 0 && video.readyState >= 2) {
        let texts: string[] = []
        try {
          texts = await decoder.decode(video)
        } catch {
          // The engine broke (its worker died, the platform's detector is unavailable):
          // carry on with the next one rather than stop scanning.
          const next = fallbackFor(decoder.engine)
          if (next !== undefined) {
            decoder.close()
            decoder = await openDecoder(next)
            stopIfAborted()
            const text = await begin(decoder)
            if (text !== undefined) return text
          }
        }
        stopIfAborted()
        for (const text of texts) if (opts.accept?.(text) ?? true) return text
      }
      await sleep(Math.max(0, interval - (performance.now() - t0)), opts.signal)
    }
  } finally {
    decoder?.close()
    stream.getTracks().forEach(t => { t.stop() })
    if (opts.video === undefined) video.srcObject = null
  }
}
