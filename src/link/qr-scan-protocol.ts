// Messages between the scanner (main thread) and its decoding worker.
export type WorkerEngine = 'zxing' | 'jsqr'

export type ToDecodeWorker =
  /** `engine`: 'jsqr' forces the pure-JS decoder (tests, engines without WebAssembly). */
  | { type: 'init', engine: 'auto' | 'jsqr' }
  /**
   * A frame handed over (transferred, not copied): a VideoFrame (the camera's own buffer,
   * so the main thread converts nothing), an ImageBitmap, or raw RGBA pixels.
   */
  | { type: 'frame', id: number, videoFrame: VideoFrame }
  | { type: 'frame', id: number, bitmap: ImageBitmap }
  | { type: 'frame', id: number, data: ArrayBuffer, width: number, height: number }

export type FromDecodeWorker =
  /**
   * `bitmaps`: the worker can read an ImageBitmap's pixels itself (OffscreenCanvas 2D);
   * `videoFrames`: it can read a VideoFrame's (WebCodecs).
   */
  | { type: 'ready', engine: WorkerEngine, bitmaps: boolean, videoFrames: boolean }
  | { type: 'result', id: number, texts: string[], error?: string }
