// The wallet in every engine phones run: Chromium (Blink), Firefox ESR (Gecko) and
// WebKitGTK (WebKit, as every iOS browser), each driven as a real browser. Every test
// ends by checking that the page threw nothing and broke no CSP rule.
// HANDOVER_ENGINES=firefox,webkit limits the engines.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resolve } from 'node:path'
import { HD, Mnemonic } from '@bsv/sdk'
import QRCode from 'qrcode'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { enginesToRun, launchEngine, type Engine, type Phone } from './engines.ts'
import {
  balanceSats, click, createWallet, fill, receiveAddress, restoreWallet, send, texts, unlock, waitBalance, waitText, re
} from './phone-ui.ts'
import { LOOPBACK_SIGNALLING } from './loopback-signalling.ts'

async function startServer (): Promise<RunningServer> {
  return await startAppServer({ host: '127.0.0.1', port: 0, staticDir: resolve('dist'), devnetFile: ':memory:', signalling: LOOPBACK_SIGNALLING })
}

let srv: RunningServer
beforeAll(async () => { srv = await startServer() })
afterAll(async () => { await srv?.close() })

for (const name of enginesToRun()) {
  describe(`in ${name}`, () => {
    let engine: Engine
    const phones: Phone[] = []
    async function phone (url = srv.url + '/'): Promise<Phone> {
      const p = await engine.newPhone()
      phones.push(p)
      await p.goto(url)
      return p
    }

    beforeAll(async () => { engine = await launchEngine(name) })
    afterAll(async () => { await engine?.close() })
    afterEach(async () => {
      const errors: string[] = []
      for (const p of phones.splice(0)) {
        errors.push(...await p.takeErrors())
        await p.close().catch(() => undefined)
      }
      expect(errors, 'uncaught errors or CSP violations in the app').toEqual([])
    })

    it('creates a wallet with the word check, gets test coins, sends, lists both in history, reloads and unlocks', async () => {
      const p = await phone()
      // the box sits by its label: it does not grow across the row
      await click(p, 'Create a new wallet')
      // The words appear once the BIP39 code (loaded after the first screen) is there.
      const measure = async (): Promise<{ w: number, row: number } | undefined> => await p.evaluate(() => {
        const input = Array.from(document.querySelectorAll('label')).find(l => l.textContent?.includes('I wrote them down'))?.control
        return input === null || input === undefined ? undefined : { w: input.getBoundingClientRect().width, row: input.parentElement!.getBoundingClientRect().width }
      })
      // WebKit's driver hands undefined back as null: wait for a real measurement.
      await expect.poll(async () => (await measure()) != null, { timeout: 20_000 }).toBe(true)
      const box = await measure()
      expect(box!.w).toBeLessThan(40)
      await click(p, 'Back')
      await createWallet(p)
      await click(p, 'Get test coins')
      await waitBalance(p, 1_000_000)
      const to = 'mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8'
      await send(p, to, 20_000)
      await expect.poll(async () => await balanceSats(p), { timeout: 20_000 }).toBeLessThan(1_000_000 - 20_000)
      await expect.poll(async () => await texts(p, '[data-testid="history"] li[data-direction="out"]'), { timeout: 20_000 }).toHaveLength(1)
      expect(await texts(p, '[data-testid="history"] li[data-direction="in"]')).toHaveLength(1)
      const after = await balanceSats(p)
      await p.reload()
      await unlock(p)
      await waitBalance(p, after)
      expect((await texts(p, '[data-testid="history"] li')).length).toBe(2)
    })

    it('restores the published "abandon … about" vector to its BIP44 first address', async () => {
      const vector = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
      const expected = HD.fromSeed(Mnemonic.fromString(vector).toSeed()).derive("m/44'/236'/0'/0/0").privKey.toAddress([0x6f])
      const p = await phone()
      await restoreWallet(p, vector)
      await waitText(p, '[data-testid="balance"]', re(/sats$/), 60_000)
      expect(await receiveAddress(p)).toBe(expected)
    })

    it('shows the Receive QR, opens the scanner with the camera, and reads a dark-mode code with zxing-cpp', async () => {
      const p = await phone()
      await createWallet(p)
      await click(p, 'Receive')
      await fill(p, 'Amount (satoshis)', '500')
      await click(p, 'Show payment code')
      const code = await p.evaluate(async () => {
        for (let i = 0; i < 100; i++) {
          const el = document.querySelector('[data-testid="pair-qr"]')
          if (el !== null) return el.getAttribute('data-text')
          await new Promise(resolve => setTimeout(resolve, 100))
        }
        return null
      })
      expect(code).toMatch(/^[0-9A-Z $%*+\-./:]+$/)
      // the QR is drawn, not just placed
      const png = await p.screenshot('[data-testid="pair-qr"]')
      expect(png.length).toBeGreaterThan(500)
      await click(p, 'Cancel')
      await click(p, 'Pay')
      await click(p, 'Scan a code')
      await waitText(p, '.scanner [role="status"]', 'Point the camera at the code.', 20_000)
      await expect.poll(async () => await p.evaluate(() => document.querySelector('video')?.videoWidth ?? 0), { timeout: 10_000 }).toBeGreaterThan(0)
      // The decoder runs in this engine: zxing-cpp's .wasm compiled in the worker under our CSP.
      await expect.poll(async () => await p.evaluate(() => document.querySelector('.scanner')?.getAttribute('data-decoder') ?? ''), { timeout: 15_000 }).toBe('zxing')
      // Chromium hands the camera track to the decoding worker (no per-frame work on the main
      // thread); Gecko and WebKit have no MediaStreamTrackProcessor and post frames from <video>.
      await expect.poll(async () => await p.evaluate(() => document.querySelector('.scanner')?.getAttribute('data-frames') ?? ''), { timeout: 5_000 }).toBe(name === 'chromium' ? 'track' : 'video')
      // And it reads: the camera now films a dark-mode BIP21 code (a canvas stream in place of
      // this engine's fake camera, whose picture a test cannot choose).
      const target = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.0001'
      const qr = QRCode.create(target, { errorCorrectionLevel: 'M' })
      const rows = Array.from({ length: qr.modules.size }, (_, y) => Array.from({ length: qr.modules.size }, (_, x) => qr.modules.get(y, x)).join(''))
      await p.evaluate((rows: string[]) => {
        const c = document.createElement('canvas'); c.width = 640; c.height = 480
        const g = c.getContext('2d')!
        const k = 6; const x0 = (640 - rows.length * k) / 2; const y0 = (480 - rows.length * k) / 2
        const paint = (): void => {
          g.fillStyle = '#111'; g.fillRect(0, 0, 640, 480)
          g.fillStyle = '#eee'
          rows.forEach((r, y) => { for (let x = 0; x < r.length; x++) if (r[x] === '1') g.fillRect(x0 + x * k, y0 + y * k, k, k) })
        }
        paint(); setInterval(paint, 100)
        navigator.mediaDevices.getUserMedia = async () => c.captureStream(10)
      }, rows)
      await click(p, 'Switch camera')
      await expect.poll(async () => await p.evaluate(() => (document.getElementById('send-to') as HTMLInputElement | null)?.value ?? ''), { timeout: 20_000 }).toBe(target)
    })

    it('notices an uncaught error and a CSP violation, so the check after each test can fail', async () => {
      const p = await phone()
      await waitText(p, 'main', 'Create a new wallet')
      await p.evaluate(() => {
        setTimeout(() => { throw new Error('planted failure') }, 0)
        const s = document.createElement('script')
        s.textContent = 'window.inlineRan = true'
        document.body.append(s)
      })
      await new Promise(resolve => setTimeout(resolve, 500))
      const seen = await p.takeErrors()
      expect(seen.some(e => e.includes('planted failure'))).toBe(true)
      expect(seen.some(e => /CSP violation: script-src/.test(e))).toBe(true)
      expect(await p.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan ?? false)).toBe(false)
    })

    it('refuses a second tab of the same wallet', async () => {
      const first = await phone()
      await waitText(first, 'main', 'Create a new wallet')
      const second = await first.newTab()
      await second.goto(srv.url + '/')
      await waitText(second, '[role="alert"]', 'already open in another tab')
      await second.close()
    })

    it('opens offline through the service worker, wallet and balance included', async () => {
      const own = await startServer()
      try {
        const p = await phone(own.url + '/')
        await createWallet(p)
        await click(p, 'Get test coins')
        await waitBalance(p, 1_000_000)
        await p.evaluate(async () => { await navigator.serviceWorker.ready })
        await own.close()
        await p.reload()
        expect(await p.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)
        await unlock(p)
        await waitBalance(p, 1_000_000)
        // the screen says the network is out of reach once its first refresh fails
        await waitText(p, 'main', re(/Could not reach|offline|network/i))
      } finally {
        await own.close().catch(() => undefined)
      }
    })
  })
}
