// Reading QR codes from the camera with jsQR: it installs from npm alone and works where
// BarcodeDetector is absent (Linux Chromium, Firefox). Loaded lazily by the UI.
import jsQR from 'jsqr'

/** Decodes one frame; undefined when no code is visible. */
export function decodeQrFrame (img: ImageData): string | undefined {
  const r = jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' })
  return r?.data || undefined
}

export interface ScanOptions {
  /** 'environment' (back, default) or 'user' (front). */
  facingMode?: 'environment' | 'user'
  /** Gets the live stream, e.g. to offer the torch where the camera has one. */
  onStream?: (stream: MediaStream) => void
  /** Return only codes this accepts (e.g. the kind you expect); others are ignored. */
  accept?: (text: string) => boolean
  signal?: AbortSignal
  /** Where to show the camera; a hidden element is used otherwise. */
  video?: HTMLVideoElement
  /** Frames per second to try decoding. Default 8. */
  fps?: number
}

/** Opens the back camera and resolves with the first accepted QR text. */
export async function scanQrFromCamera (opts: ScanOptions = {}): Promise<string> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: opts.facingMode ?? 'environment' }, audio: false })
  opts.onStream?.(stream)
  const video = opts.video ?? document.createElement('video')
  video.muted = true
  video.playsInline = true
  video.srcObject = stream
  await video.play()
  const canvas = document.createElement('canvas')
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  if (ctx === null) throw new Error('no 2d canvas')
  try {
    for (;;) {
      if (opts.signal?.aborted === true) throw new DOMException('scan cancelled', 'AbortError')
      if (video.videoWidth > 0) {
        canvas.width = video.videoWidth; canvas.height = video.videoHeight
        ctx.drawImage(video, 0, 0)
        const text = decodeQrFrame(ctx.getImageData(0, 0, canvas.width, canvas.height))
        if (text !== undefined && (opts.accept?.(text) ?? true)) return text
      }
      await new Promise(r => setTimeout(r, 1000 / (opts.fps ?? 8)))
    }
  } finally {
    stream.getTracks().forEach(t => t.stop())
    if (opts.video === undefined) video.srcObject = null
  }
}
