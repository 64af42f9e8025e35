// Showing and reading QR codes. Generation uses `qrcode` with an explicit
// alphanumeric segment (base45 payloads), EC level M. Decoding uses jsQR on camera
// frames: it installs from npm alone and works where BarcodeDetector is absent
// (Linux Chromium, Firefox). The UI should only use these two functions so the
// decoder can be swapped (e.g. to a worker-based one) in one place.

import QRCode from 'qrcode'
import jsQR from 'jsqr'

const ALNUM = /^[0-9A-Z $%*+\-./:]*$/

function segments (text: string): QRCode.QRCodeSegment[] | string {
  return ALNUM.test(text) ? [{ data: text, mode: 'alphanumeric' }] : text
}

/** QR version (1-40) the text needs at EC level M. */
export function qrVersion (text: string): number {
  return QRCode.create(segments(text) as string, { errorCorrectionLevel: 'M' }).version
}

/** Draws the code on a canvas, `scale` pixels per module, with a 4-module quiet zone. */
export async function drawQr (canvas: HTMLCanvasElement, text: string, scale = 6): Promise<void> {
  await QRCode.toCanvas(canvas, segments(text) as string, { errorCorrectionLevel: 'M', scale, margin: 4 })
}

/** Decodes one frame; undefined when no code is visible. */
export function decodeQrFrame (img: ImageData): string | undefined {
  const r = jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' })
  return r?.data || undefined
}

export interface ScanOptions {
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
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
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
