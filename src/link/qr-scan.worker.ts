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

function pixelsOf (bitmap: ImageBitmap): Pixels {
  const { width, height } = bitmap
  if (canvas === undefined || canvas.width !== width || canvas.height !== height) {
    canvas = new OffscreenCanvas(width, height)
    ctx = canvas.getContext('2d', { willReadFrequently: true })
  }
  if (ctx === null) throw new Error('no 2d context in the worker')
  ctx.drawImage(bitmap, 0, 0)
  bitmap.close()
  return ctx.getImageData(0, 0, width, height)
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

self.onmessage = async (e: MessageEvent<ToDecodeWorker>) => {
  const m = e.data
  if (m.type === 'init') {
    const engine = await init(m.engine)
    post({ type: 'ready', engine, bitmaps: canReadBitmaps() })
    return
  }
  try {
    if (decode === undefined) throw new Error('decoder not initialised')
    const px = 'bitmap' in m ? pixelsOf(m.bitmap) : { data: new Uint8ClampedArray(m.data), width: m.width, height: m.height }
    post({ type: 'result', id: m.id, texts: await decode(px) })
  } catch (err) {
    if ('bitmap' in m) m.bitmap.close()
    post({ type: 'result', id: m.id, texts: [], error: String(err) })
  }
}
