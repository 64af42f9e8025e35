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
  /**
   * The camera itself, so the worker takes its frames with no per-frame work on the main
   * thread: the frames of a MediaStreamTrackProcessor made on the main thread (Chromium
   * has it there, and moves its source to the worker with the transferred stream), or the
   * track (engines with the processor in workers only, and transferable tracks). The
   * worker decodes at most `fps` frames a second, one at a time, and answers 'seen'.
   */
  | { type: 'watch', frames: ReadableStream<VideoFrame>, fps: number }
  | { type: 'watch', track: MediaStreamTrack, fps: number }

export type FromDecodeWorker =
  /**
   * `bitmaps`: the worker can read an ImageBitmap's pixels itself (OffscreenCanvas 2D);
   * `videoFrames`: it can read a VideoFrame's (WebCodecs); `trackProcessor`: it can make
   * a MediaStreamTrackProcessor itself (then a transferred track is enough).
   */
  | { type: 'ready', engine: WorkerEngine, bitmaps: boolean, videoFrames: boolean, trackProcessor: boolean }
  | { type: 'result', id: number, texts: string[], error?: string }
  /** Codes read from a watched camera (only frames with at least one code are reported). */
  | { type: 'seen', texts: string[] }
  /** Watching stopped by itself (the track ended, a frame could not be read): `error` says why. */
  | { type: 'watch-ended', error: string }
