// The camera scanner in real Chromium, its fake camera showing a code: it decodes with
// zxing-cpp in a worker that reads the camera itself (the .wasm is our own, never a
// CDN's), reads dark-mode codes, still reads after the app is installed and the network
// is gone, and where the browser lacks a piece (MediaStreamTrackProcessor, WebAssembly)
// takes the next way. Where the platform has a BarcodeDetector that reads QR codes, the
// scanner uses it, and falls back to zxing-cpp when it cannot or breaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import QRCode from 'qrcode'
import type { BrowserContext, Page } from 'playwright-core'
import { useApp } from './app-fixture.ts'
import { cameraPhone, type CameraPhone } from './phones.ts'
import { createWallet, unlock } from './wallet-ui.ts'
import { detectorUse, installBarcodeDetector, setDetector } from './barcode-detector-double.ts'
import { failOnPageErrors, recordPageErrors } from './page-errors.ts'

const app = useApp({ browser: false })
failOnPageErrors()
let tmp: string
let cam: CameraPhone
const foreignRequests: string[] = []

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'scanner-'))
  cam = await cameraPhone(app.url + '/', tmp, 'scanner')
  cam.page.on('request', r => { if (!r.url().startsWith(app.url) && !/^(data|blob):/.test(r.url())) foreignRequests.push(r.url()) })
  await recordScanner(cam.page)
})
afterAll(async () => {
  await cam?.browser.close()
  rmSync(tmp, { recursive: true, force: true })
})

/** Makes the fake camera film `text` as a code on a screen, a bit small and soft; `dark`: light modules on dark. */
async function film (text: string, dark = false): Promise<void> {
  const png = join(tmp, 'code.png')
  await QRCode.toFile(png, text, { errorCorrectionLevel: 'M', scale: 6, margin: 4 })
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-i', png, '-vf',
    `${dark ? 'negate,' : ''}scale=300:300,pad=640:480:(ow-iw)/2:(oh-ih)/2:${dark ? '0x202020' : '0x707070'},gblur=sigma=0.8,format=yuv420p`,
    '-frames:v', '3', '-f', 'yuv4mpegpipe', cam.camera])
}

/** Where this page's scanner says it decodes (engine, frame path), remembered after its screen has gone, reloads included. */
async function recordScanner (page: Page): Promise<void> {
  const remember = (): void => {
    new MutationObserver(() => {
      const s = document.querySelector('.scanner')
      const decoder = s?.getAttribute('data-decoder')
      if (decoder != null) (window as unknown as { lastScan?: object }).lastScan = { decoder, frames: s?.getAttribute('data-frames') }
    }).observe(document, { subtree: true, attributes: true, childList: true })
  }
  await page.addInitScript(remember)
  await page.evaluate(remember)
}

/**
 * A second phone on the same camera, in a fresh context with no service worker and a new
 * wallet; `prepare` changes the context first (the platform it runs on, the CSP it gets).
 */
async function phoneWith (prepare: (ctx: BrowserContext) => Promise<void>): Promise<{ page: Page, close: () => Promise<void> }> {
  const ctx = await cam.browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: 'block', permissions: ['camera'] })
  await prepare(ctx)
  const page = await ctx.newPage()
  recordPageErrors(page, 'second phone')
  await page.goto(app.url + '/')
  await recordScanner(page)
  await createWallet(page)
  return { page, close: async () => { await ctx.close() } }
}

/** Pay → Scan a code (from Home, or again from the Pay screen): what lands in the address field, and how it was read. */
async function scanOnPay (page: Page, expected: string): Promise<{ to: string, decoder?: string, frames?: string }> {
  const pay = page.getByRole('button', { name: 'Pay', exact: true })
  if (await pay.isVisible()) await pay.click()
  await page.getByRole('button', { name: 'Scan a code' }).click()
  const input = page.getByLabel('Address or bitcoin: link')
  await expect.poll(async () => await input.inputValue().catch(() => ''), { timeout: 20_000 }).toBe(expected)
  const how = await page.evaluate(() => (window as unknown as { lastScan?: { decoder: string, frames: string } }).lastScan)
  return { to: await input.inputValue(), ...how }
}

describe('camera scanner', () => {
  it('reads a BIP21 code and a dark-mode (inverted) code from the camera, with zxing-cpp in a worker that reads the camera itself', async () => {
    const page = cam.page
    await createWallet(page)
    const target = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.0002'
    await film(target)
    expect(await scanOnPay(page, target)).toEqual({ to: target, decoder: 'zxing', frames: 'track' })

    const dark = 'bitcoin:n3GNqMveyvaPvUbH469vDRadqpJMPc84JA'
    await film(dark, true)
    expect((await scanOnPay(page, dark)).to).toBe(dark)
    expect(foreignRequests).toEqual([])
  })

  it('still scans offline once installed: the decoder and its .wasm come from the precache', async () => {
    const page = cam.page
    await page.evaluate(async () => { await navigator.serviceWorker.ready })
    const precached = await page.evaluate(async () => {
      const urls: string[] = []
      for (const k of await caches.keys()) for (const r of await (await caches.open(k)).keys()) urls.push(r.url)
      return urls.filter(u => /\.wasm$|qr-scan\.worker/.test(u)).map(u => new URL(u).pathname.replace(/-[\w-]{8}\.(js|wasm)$/, '.$1'))
    })
    expect(precached.sort()).toEqual(['/assets/qr-scan.worker.js', '/assets/zxing_reader.wasm'])
    await page.context().setOffline(true)
    try {
      await page.reload()
      await unlock(page)
      const target = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.0003&label=Offline'
      await film(target, true)
      expect(await scanOnPay(page, target)).toEqual({ to: target, decoder: 'zxing', frames: 'track' })
    } finally {
      await page.context().setOffline(false)
    }
  })

  it('where WebAssembly may not run (a CSP without wasm-unsafe-eval) the worker falls back to jsQR, and still reads a dark-mode code', async () => {
    // The app as an older host would serve it: the CSP forbids compiling WebAssembly.
    const phone = await phoneWith(async ctx => {
      await ctx.route('**/*', async route => {
        const res = await route.fetch()
        const headers = { ...res.headers() }
        if (headers['content-security-policy'] !== undefined) headers['content-security-policy'] = headers['content-security-policy'].replace(" 'wasm-unsafe-eval'", '')
        await route.fulfill({ response: res, headers })
      })
    })
    try {
      const dark = 'bitcoin:n3GNqMveyvaPvUbH469vDRadqpJMPc84JA?sv&amount=0.0005'
      await film(dark, true)
      expect(await scanOnPay(phone.page, dark)).toEqual({ to: dark, decoder: 'jsqr', frames: 'track' })
    } finally {
      await phone.close()
    }
  })

  it('without MediaStreamTrackProcessor (Firefox, WebKit) the main thread hands each frame to the worker, and it reads', async () => {
    const phone = await phoneWith(async ctx => { await ctx.addInitScript(() => { delete (window as { MediaStreamTrackProcessor?: unknown }).MediaStreamTrackProcessor }) })
    try {
      const target = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.0004'
      await film(target)
      expect(await scanOnPay(phone.page, target)).toEqual({ to: target, decoder: 'zxing', frames: 'video' })
    } finally {
      await phone.close()
    }
  })
})

describe('a platform BarcodeDetector (Android Chrome, macOS)', () => {
  // One phone for these tests, made by the first that runs (making a wallet needs a test).
  let phone: Awaited<ReturnType<typeof phoneWith>> | undefined
  const detectorPage = async (): Promise<Page> => (phone ??= await phoneWith(installBarcodeDetector)).page
  afterAll(async () => { await phone?.close() })

  it('reads plain and dark-mode codes through it, to the same address field', async () => {
    const page = await detectorPage()
    const target = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.0006'
    await film(target)
    expect(await scanOnPay(page, target)).toEqual({ to: target, decoder: 'native', frames: 'video' })
    expect((await detectorUse(page)).reads).toContain(target)
    // This detector, like some platforms', reads dark-on-light only: the scanner shows it inverted frames.
    const dark = 'bitcoin:n3GNqMveyvaPvUbH469vDRadqpJMPc84JA?sv&amount=0.0007'
    await film(dark, true)
    expect(await scanOnPay(page, dark)).toEqual({ to: dark, decoder: 'native', frames: 'video' })
    expect((await detectorUse(page)).reads).toContain(dark)
  })

  const cases = [
    { why: 'it lists no qr_code', change: { formats: ['code_128', 'ean_13'] } },
    { why: 'getSupportedFormats rejects', change: { formatsFail: 'reject' as const } },
    { why: 'getSupportedFormats throws', change: { formatsFail: 'throw' as const } },
    { why: 'getSupportedFormats never answers', change: { formatsFail: 'hang' as const } }
  ]
  it.each(cases.map((c, i) => ({ ...c, i })))('scans with zxing-cpp instead when $why', async ({ change, i }) => {
    const page = await detectorPage()
    await setDetector(page, change)
    const before = await detectorUse(page)
    const target = `bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.001${i}`
    await film(target)
    expect(await scanOnPay(page, target)).toEqual({ to: target, decoder: 'zxing', frames: 'track' })
    expect((await detectorUse(page)).detects).toBe(before.detects)
  })

  it('when it breaks mid-scan (its detection service unavailable) the scan goes on with zxing-cpp', async () => {
    const page = await detectorPage()
    await setDetector(page, { formats: ['qr_code'], detectFails: true })
    const before = await detectorUse(page)
    const target = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.002'
    await film(target)
    expect(await scanOnPay(page, target)).toEqual({ to: target, decoder: 'zxing', frames: 'track' })
    const after = await detectorUse(page)
    expect(after.detects).toBeGreaterThan(before.detects) // it was asked, and failed
    expect(after.reads).toEqual(before.reads)
  })
})
