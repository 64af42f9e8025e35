// The camera scanner in real Chromium, its fake camera showing a code: it decodes with
// zxing-cpp in a worker (the .wasm is our own, never a CDN's), reads dark-mode codes,
// and still reads after the app is installed and the network is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import QRCode from 'qrcode'
import type { Page } from 'playwright-core'
import { useApp } from './app-fixture.ts'
import { cameraPhone, writeBlank, type CameraPhone } from './phones.ts'
import { launch } from './browser.ts'
import { createWallet, unlock } from './wallet-ui.ts'

const app = useApp({ browser: false })
let tmp: string
let cam: CameraPhone
const foreignRequests: string[] = []

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'scanner-'))
  cam = await cameraPhone(app.url + '/', tmp, 'scanner')
  cam.page.on('request', r => { if (!r.url().startsWith(app.url) && !/^(data|blob):/.test(r.url())) foreignRequests.push(r.url()) })
})
afterAll(async () => {
  await cam?.browser.close()
  rmSync(tmp, { recursive: true, force: true })
})

/** Makes the fake camera film `text` as a code on a screen, a bit small and soft; `dark`: light modules on dark. */
async function film (text: string, dark = false, camera = cam.camera): Promise<void> {
  const png = join(tmp, 'code.png')
  await QRCode.toFile(png, text, { errorCorrectionLevel: 'M', scale: 6, margin: 4 })
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-i', png, '-vf',
    `${dark ? 'negate,' : ''}scale=300:300,pad=640:480:(ow-iw)/2:(oh-ih)/2:${dark ? '0x202020' : '0x707070'},gblur=sigma=0.8,format=yuv420p`,
    '-frames:v', '3', '-f', 'yuv4mpegpipe', camera])
}

/** Pay → Scan a code (from Home, or again from the Pay screen): what lands in the address field. */
async function scanOnPay (page: Page, expected: string): Promise<{ to: string, decoder: string | null }> {
  const pay = page.getByRole('button', { name: 'Pay', exact: true })
  if (await pay.isVisible()) await pay.click()
  await page.getByRole('button', { name: 'Scan a code' }).click()
  const input = page.getByLabel('Address or bitcoin: link')
  await expect.poll(async () => await input.inputValue().catch(() => ''), { timeout: 20_000 }).toBe(expected)
  return { to: await input.inputValue(), decoder: await page.evaluate(() => (window as unknown as { lastDecoder?: string }).lastDecoder ?? null) }
}

describe('camera scanner', () => {
  it('reads a BIP21 code and a dark-mode (inverted) code from the camera, with zxing-cpp in a worker', async () => {
    const page = cam.page
    // Remember which engine the scanner reported before its screen goes away.
    await page.evaluate(() => {
      new MutationObserver(() => {
        const d = document.querySelector('.scanner')?.getAttribute('data-decoder')
        if (d != null) (window as unknown as { lastDecoder?: string }).lastDecoder = d
      }).observe(document.body, { subtree: true, attributes: true, childList: true })
    })
    await createWallet(page)
    const target = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.0002'
    await film(target)
    expect(await scanOnPay(page, target)).toEqual({ to: target, decoder: 'zxing' })

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
      await page.evaluate(() => {
        new MutationObserver(() => {
          const d = document.querySelector('.scanner')?.getAttribute('data-decoder')
          if (d != null) (window as unknown as { lastDecoder?: string }).lastDecoder = d
        }).observe(document.body, { subtree: true, attributes: true, childList: true })
      })
      await unlock(page)
      const target = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.0003&label=Offline'
      await film(target, true)
      expect(await scanOnPay(page, target)).toEqual({ to: target, decoder: 'zxing' })
    } finally {
      await page.context().setOffline(false)
    }
  })

  it('where WebAssembly may not run (a CSP without wasm-unsafe-eval) the worker falls back to jsQR, and still reads a dark-mode code', async () => {
    const camera = join(tmp, 'nowasm.y4m')
    writeBlank(camera)
    const browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${camera}`])
    try {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: 'block' })
      // The app as an older host would serve it: the CSP forbids compiling WebAssembly.
      await ctx.route('**/*', async route => {
        const res = await route.fetch()
        const headers = { ...res.headers() }
        if (headers['content-security-policy'] !== undefined) headers['content-security-policy'] = headers['content-security-policy'].replace(" 'wasm-unsafe-eval'", '')
        await route.fulfill({ response: res, headers })
      })
      const page = await ctx.newPage()
      await page.goto(app.url + '/')
      await page.evaluate(() => {
        new MutationObserver(() => {
          const d = document.querySelector('.scanner')?.getAttribute('data-decoder')
          if (d != null) (window as unknown as { lastDecoder?: string }).lastDecoder = d
        }).observe(document.body, { subtree: true, attributes: true, childList: true })
      })
      await createWallet(page)
      const dark = 'bitcoin:n3GNqMveyvaPvUbH469vDRadqpJMPc84JA?sv&amount=0.0005'
      await film(dark, true, camera)
      expect(await scanOnPay(page, dark)).toEqual({ to: dark, decoder: 'jsqr' })
    } finally {
      await browser.close()
    }
  })
})
