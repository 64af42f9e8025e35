// A platform BarcodeDetector (Shape Detection API) for a Chromium that has none (Linux),
// installed before the app loads. It really decodes what it is shown, with zxing-cpp
// (zxing-wasm's reader, the library's IIFE build, its .wasm served to the page on a test
// path), and, like some platform detectors, reads dark-on-light codes only. It behaves
// as the spec says (https://wicg.github.io/shape-detection-api/#barcode-detection-api):
// getSupportedFormats() resolves with format names, the constructor refuses an empty or
// unknown format list, detect() resolves with DetectedBarcode-shaped results and with
// none for a video without a frame yet. A test can make it fail the ways real ones do
// (window.__barcodeDetector): list no 'qr_code', reject or throw or never answer when
// asked its formats, or reject every detect() as Android Chrome does without its
// detection service ("Barcode detection service unavailable.").
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'

const require = createRequire(import.meta.url)
const WASM_PATH = '/__test__/zxing_reader.wasm'

export interface DetectorControl {
  /** What getSupportedFormats() resolves with. */
  formats: string[]
  /** How getSupportedFormats() fails instead, if it does. */
  formatsFail?: 'reject' | 'throw' | 'hang'
  /** detect() rejects, as a platform without its detection service does. */
  detectFails: boolean
  /** Calls of detect(), and the texts it returned. */
  detects: number
  reads: string[]
}

interface ZxingReader {
  prepareZXingModule: (o: object) => unknown
  readBarcodes: (img: ImageData, o: object) => Promise<Array<{ isValid: boolean, text: string, position: Record<'topLeft' | 'topRight' | 'bottomRight' | 'bottomLeft', { x: number, y: number }> }>>
}

/** Runs in the page, before any of its scripts; `zxing` is the IIFE's ZXingWASM. */
function install (zxing: ZxingReader, wasmPath: string): void {
  const w = window as unknown as { __barcodeDetector: DetectorControl, BarcodeDetector: unknown }
  zxing.prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => path.endsWith('.wasm') ? new URL(wasmPath, location.href).href : prefix + path }, fireImmediately: false })
  const control: DetectorControl = { formats: ['aztec', 'code_128', 'ean_13', 'qr_code'], detectFails: false, detects: 0, reads: [] }
  w.__barcodeDetector = control
  const known = ['aztec', 'code_128', 'code_39', 'code_93', 'codabar', 'data_matrix', 'ean_13', 'ean_8', 'itf', 'pdf417', 'qr_code', 'upc_a', 'upc_e']
  class BarcodeDetector {
    static getSupportedFormats (): Promise<string[]> {
      if (control.formatsFail === 'throw') throw new TypeError('getSupportedFormats is not available')
      if (control.formatsFail === 'reject') return Promise.reject(new DOMException('Barcode detection service unavailable.', 'NotSupportedError'))
      if (control.formatsFail === 'hang') return new Promise(() => {})
      return Promise.resolve([...control.formats])
    }

    constructor (options: { formats?: string[] } = {}) {
      if (options.formats !== undefined && (options.formats.length === 0 || options.formats.some(f => !known.includes(f)))) throw new TypeError('Hint option provided, but is empty or unknown.')
    }

    async detect (source: CanvasImageSource): Promise<Array<{ rawValue: string, format: string, boundingBox: DOMRectReadOnly, cornerPoints: Array<{ x: number, y: number }> }>> {
      control.detects++
      if (control.detectFails) throw new DOMException('Barcode detection service unavailable.', 'NotSupportedError')
      if (source instanceof HTMLVideoElement && source.readyState < 2) return []
      const width = source instanceof HTMLVideoElement ? source.videoWidth : (source as HTMLCanvasElement).width
      const height = source instanceof HTMLVideoElement ? source.videoHeight : (source as HTMLCanvasElement).height
      const canvas = new OffscreenCanvas(width, height)
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!
      ctx.drawImage(source, 0, 0)
      const found = await zxing.readBarcodes(ctx.getImageData(0, 0, width, height), { formats: ['QRCode'], tryInvert: false, tryHarder: true })
      return found.filter(r => r.isValid && r.text !== '').map(r => {
        control.reads.push(r.text)
        const p = r.position; const xs = [p.topLeft.x, p.topRight.x, p.bottomRight.x, p.bottomLeft.x]; const ys = [p.topLeft.y, p.topRight.y, p.bottomRight.y, p.bottomLeft.y]
        return {
          rawValue: r.text,
          format: 'qr_code',
          boundingBox: new DOMRectReadOnly(Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)),
          cornerPoints: [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft]
        }
      })
    }
  }
  w.BarcodeDetector = BarcodeDetector
}

/** Gives every page of `ctx` the detector, from its first script on. */
export async function installBarcodeDetector (ctx: BrowserContext): Promise<void> {
  const wasmFile = require.resolve('zxing-wasm/reader/zxing_reader.wasm') // <package>/dist/reader/
  const wasm = readFileSync(wasmFile)
  await ctx.route(`**${WASM_PATH}`, async route => { await route.fulfill({ body: wasm, contentType: 'application/wasm' }) })
  const iife = readFileSync(join(dirname(dirname(wasmFile)), 'iife/reader/index.js'), 'utf8')
  await ctx.addInitScript({ content: `${iife}\n;(${install.toString()})(ZXingWASM, ${JSON.stringify(WASM_PATH)})` })
}

/** Sets how the page's detector behaves from now on (the next scan asks it afresh). */
export async function setDetector (page: Page, change: Partial<Pick<DetectorControl, 'formats' | 'formatsFail' | 'detectFails'>>): Promise<void> {
  await page.evaluate(c => { Object.assign((window as unknown as { __barcodeDetector: DetectorControl }).__barcodeDetector, { formatsFail: undefined, ...c }) }, change)
}

/** How often detect() was called and what it read. */
export async function detectorUse (page: Page): Promise<{ detects: number, reads: string[] }> {
  return await page.evaluate(() => {
    const c = (window as unknown as { __barcodeDetector: DetectorControl }).__barcodeDetector
    return { detects: c.detects, reads: [...c.reads] }
  })
}
