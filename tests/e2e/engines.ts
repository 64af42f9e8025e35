// One way to drive a "phone" in any of the three engines phones run:
//   chromium — Debian Chromium through playwright-core (CDP)
//   firefox  — Debian Firefox ESR through puppeteer-core (WebDriver BiDi, no geckodriver)
//   webkit   — Debian WebKitGTK's MiniBrowser through WebKitWebDriver, on a virtual X display
// Nothing is emulated and nothing downloads a browser. A Phone offers only what every
// engine can do the same way (load, run a script in the page, screenshot, reload); the
// person-like actions (click a button by its name, fill a field by its label, read a
// text) are in-page DOM helpers shared by all three, so a test reads the same in every
// engine. The camera of every phone can be pointed at a picture (another phone's QR):
// getUserMedia then returns a canvas stream of it, which the app scans like any video.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Browser as PwBrowser, BrowserContext as PwContext, Page as PwPage } from 'playwright-core'
import { launch as launchChromium } from './browser.ts'

export type EngineName = 'chromium' | 'firefox' | 'webkit'
export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit']

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr'
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver'
export const MINIBROWSER = process.env.MINIBROWSER_PATH ??
  ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/libexec/webkit2gtk-4.1/MiniBrowser'].find(p => existsSync(p)) ?? 'MiniBrowser'

export interface EngineOptions {
  /** Let the engine show real host addresses instead of mDNS names (SDP captures only). */
  plainHostAddresses?: boolean
  /**
   * Firefox only: keep the profile in this folder, so a later launch finds the same
   * storage (phones then share the browser's default context).
   */
  profileDir?: string
}

export interface Engine {
  readonly name: EngineName
  /**
   * A phone with its own, empty profile (storage, service workers, cookies). `camera:
   * false` leaves the camera permission ungranted where the engine asks for it
   * (Chromium then hides host addresses behind mDNS names, as on a phone before its
   * first scan).
   */
  newPhone (opts?: { camera?: boolean }): Promise<Phone>
  close (): Promise<void>
}

export type Matcher = string | { re: string, flags?: string }

export interface Phone {
  readonly engine: EngineName
  goto (url: string): Promise<void>
  reload (): Promise<void>
  /** Runs `fn(arg)` in the page; a returned promise is awaited. */
  evaluate<R, A = null>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>
  /** PNG of the element matching `selector` (the first one). */
  screenshot (selector: string): Promise<Buffer>
  /** A second tab of the same profile (same storage). */
  newTab (): Promise<Phone>
  /** Uncaught errors, unhandled rejections and CSP violations seen so far; cleared by reading. */
  takeErrors (): Promise<string[]>
  close (): Promise<void>
}

// ---------- what a page records about itself ----------

/**
 * Installed before the app runs where the engine allows (chromium, firefox), and right
 * after each load in WebKit, whose classic WebDriver has no init scripts: the buffered
 * ReportingObserver then still hands over CSP violations from the load itself.
 */
function installRecorder (): void {
  const w = window as unknown as { __pageErrors?: string[] }
  if (w.__pageErrors !== undefined) return
  const errors: string[] = []
  w.__pageErrors = errors
  addEventListener('error', e => { errors.push(`error: ${e.message}`) })
  addEventListener('unhandledrejection', e => { errors.push(`unhandled rejection: ${String((e.reason as Error)?.message ?? e.reason)}`) })
  document.addEventListener('securitypolicyviolation', e => { errors.push(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`) })
  const RO = (window as unknown as { ReportingObserver?: new (cb: (reports: Array<{ type: string, body?: { effectiveDirective?: string, blockedURL?: string } }>) => void, o: object) => { observe: () => void } }).ReportingObserver
  if (RO !== undefined) {
    try {
      new RO(reports => {
        for (const r of reports) {
          const line = `CSP violation: ${r.body?.effectiveDirective ?? ''} ${r.body?.blockedURL ?? ''}`
          if (!errors.includes(line)) errors.push(line)
        }
      }, { types: ['csp-violation'], buffered: true }).observe()
    } catch { /* engine without that report type */ }
  }
}
// Scripts run through tsx (benchmarks, the capture script) carry esbuild's keep-names
// helper in every function they hand to a page; give pages a no-op one.
const NAME_SHIM = 'globalThis.__name = globalThis.__name || (f => f);'
const RECORDER = `${NAME_SHIM}(${installRecorder.toString()})()`

async function readRecorded (p: Pick<Phone, 'evaluate'>): Promise<string[]> {
  return await p.evaluate(() => {
    const w = window as unknown as { __pageErrors?: string[] }
    return w.__pageErrors?.splice(0) ?? []
  }).catch(() => [])
}

// ---------- chromium ----------

async function chromiumEngine (opts: EngineOptions): Promise<Engine> {
  const flags = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']
  if (opts.plainHostAddresses === true) flags.push('--disable-features=WebRtcHideLocalIpsWithMdns')
  const browser: PwBrowser = await launchChromium(flags)
  const wrap = (page: PwPage, ctx: PwContext): Phone => {
    const driverErrors: string[] = []
    page.on('pageerror', e => { driverErrors.push(`uncaught: ${e.message}`) })
    return {
      engine: 'chromium',
      async goto (url) { await page.goto(url) },
      async reload () { await page.reload() },
      async evaluate (fn, arg) { return await page.evaluate(fn as never, arg ?? null) },
      async screenshot (selector) { return await page.locator(selector).first().screenshot() },
      async newTab () { const p = await ctx.newPage(); return wrap(p, ctx) },
      async takeErrors () { return dedupe([...driverErrors.splice(0), ...await readRecorded(this)]) },
      async close () { await ctx.close() }
    }
  }
  return {
    name: 'chromium',
    async newPhone (o) {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, permissions: o?.camera === false ? [] : ['camera'] })
      await ctx.addInitScript(RECORDER)
      return wrap(await ctx.newPage(), ctx)
    },
    async close () { await browser.close() }
  }
}

// ---------- firefox ----------

async function firefoxEngine (opts: EngineOptions): Promise<Engine> {
  const puppeteer = (await import('puppeteer-core')).default
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    ...(opts.profileDir !== undefined ? { userDataDir: opts.profileDir } : {}),
    extraPrefsFirefox: {
      // a camera that needs no person to allow it and no device
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      // no network besides the test server
      'network.captive-portal-service.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      ...(opts.plainHostAddresses === true ? { 'media.peerconnection.ice.obfuscate_host_addresses': false } : {})
    }
  })
  type PPage = Awaited<ReturnType<typeof browser.newPage>>
  type PContext = Awaited<ReturnType<typeof browser.createBrowserContext>>
  const wrap = async (page: PPage, ctx: PContext): Promise<Phone> => {
    const driverErrors: string[] = []
    page.on('pageerror', (e: unknown) => { driverErrors.push(`uncaught: ${(e as Error).message ?? String(e)}`) })
    await page.setViewport({ width: 390, height: 844 })
    await page.evaluateOnNewDocument(RECORDER)
    const phone: Phone = {
      engine: 'firefox',
      async goto (url) { await page.goto(url, { waitUntil: 'load' }) },
      async reload () { await page.reload({ waitUntil: 'load' }) },
      async evaluate (fn, arg) { return await page.evaluate(fn as never, arg ?? null) as never },
      async screenshot (selector) {
        const el = await page.waitForSelector(selector)
        return Buffer.from(await el!.screenshot())
      },
      async newTab () { return await wrap(await ctx.newPage(), ctx) },
      async takeErrors () { return dedupe([...driverErrors.splice(0), ...await readRecorded(phone)]) },
      async close () { await ctx.close() }
    }
    return phone
  }
  return {
    name: 'firefox',
    async newPhone () {
      if (opts.profileDir !== undefined) {
        const ctx = browser.defaultBrowserContext()
        return await wrap(await ctx.newPage(), ctx)
      }
      const ctx = await browser.createBrowserContext()
      return await wrap(await ctx.newPage(), ctx)
    },
    async close () { await browser.close() }
  }
}

// ---------- webkit ----------

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => { typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port')) })
    })
  })
}

async function waitForDriver (url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + 15_000
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode})`)
    try {
      const r = await fetch(url + '/status')
      if (r.ok) return
    } catch { /* not listening yet */ }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('WebKitWebDriver did not start')
}

async function webkitEngine (): Promise<Engine> {
  const { Builder } = await import('selenium-webdriver')
  const port = await freePort()
  // One virtual display for the driver and every MiniBrowser it starts.
  const child = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', WEBKIT_DRIVER, `--port=${port}`], { detached: true, stdio: 'ignore' })
  const server = `http://127.0.0.1:${port}`
  await waitForDriver(server, child)
  const drivers = new Set<import('selenium-webdriver').WebDriver>()

  const wrap = (driver: import('selenium-webdriver').WebDriver, handle: string, owner: boolean): Phone => {
    const focus = async (): Promise<void> => {
      if (await driver.getWindowHandle().catch(() => '') !== handle) await driver.switchTo().window(handle)
    }
    const afterLoad = async (): Promise<void> => { await driver.executeScript(RECORDER) }
    const phone: Phone = {
      engine: 'webkit',
      async goto (url) { await focus(); await driver.get(url); await afterLoad() },
      async reload () { await focus(); await driver.navigate().refresh(); await afterLoad() },
      async evaluate (fn, arg) {
        await focus()
        return await driver.executeScript(`${NAME_SHIM} return (${fn.toString()})(arguments[0])`, arg ?? null)
      },
      async screenshot (selector) {
        // WebKitGTK's element screenshots are cut from the wrong place (shifted by the
        // window's toolbar: the top of the element comes out black), so a canvas hands
        // over its own pixels, which are exactly what the screen shows of it.
        const until = Date.now() + 10_000
        for (;;) {
          const url = await phone.evaluate((s: string) => {
            const el = document.querySelector(s)
            return el instanceof HTMLCanvasElement ? el.toDataURL('image/png') : el === null ? null : 'not a canvas'
          }, selector)
          if (url === 'not a canvas') throw new Error(`webkit phones can picture canvases only (${selector})`)
          if (url !== null) return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')
          if (Date.now() > until) throw new Error(`no ${selector} on the webkit phone`)
          await new Promise(resolve => setTimeout(resolve, 200))
        }
      },
      async newTab () {
        await focus()
        await driver.switchTo().newWindow('tab')
        const h = await driver.getWindowHandle()
        return wrap(driver, h, false)
      },
      async takeErrors () { return dedupe(await readRecorded(phone)) },
      async close () {
        if (!owner) { await focus(); await driver.close(); return }
        drivers.delete(driver)
        await driver.quit().catch(() => undefined)
      }
    }
    return phone
  }

  return {
    name: 'webkit',
    async newPhone () {
      // Each phone is its own MiniBrowser; in automation mode its storage is ephemeral.
      const driver = await newSession()
      drivers.add(driver)
      // a hung load or script fails its step in seconds instead of the whole test
      await driver.manage().setTimeouts({ pageLoad: 30_000, script: 30_000 })
      await driver.manage().window().setRect({ width: 390, height: 844 }).catch(() => undefined)
      return wrap(driver, await driver.getWindowHandle(), true)
    },
    async close () {
      await Promise.all([...drivers].map(async d => await d.quit().catch(() => undefined)))
      drivers.clear()
      try { process.kill(-child.pid!, 'SIGTERM') } catch { /* already gone */ }
    }
  }

  /**
   * Starting a MiniBrowser has been seen to hang once in a while on a loaded machine:
   * give each try 45 s, and try twice.
   */
  async function newSession (): Promise<import('selenium-webdriver').WebDriver> {
    for (let attempt = 1; ; attempt++) {
      const pending = startSession()
      let timer: ReturnType<typeof setTimeout> | undefined
      const timedOut = new Promise<undefined>(resolve => { timer = setTimeout(() => resolve(undefined), 45_000) })
      const driver = await Promise.race([pending, timedOut]).finally(() => clearTimeout(timer))
      if (driver !== undefined) return driver
      pending.then(async d => await d.quit(), () => undefined)
      if (attempt === 2) throw new Error('WebKitWebDriver did not start a MiniBrowser within 45 s, twice')
    }
  }

  async function startSession (): Promise<import('selenium-webdriver').WebDriver> {
    return await new Builder()
      .usingServer(server)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': {
          binary: MINIBROWSER,
          args: ['--automation', '--enable-media-stream=true', '--enable-mock-capture-devices=true',
            '--enable-write-console-messages-to-stdout=false']
        }
      })
      .build()
  }
}

function dedupe (xs: string[]): string[] { return [...new Set(xs)] }

export async function launchEngine (name: EngineName, opts: EngineOptions = {}): Promise<Engine> {
  if (name === 'chromium') return await chromiumEngine(opts)
  if (name === 'firefox') return await firefoxEngine(opts)
  return await webkitEngine()
}

/** Engines named in HANDOVER_ENGINES (comma-separated), else all three. */
export function enginesToRun (): EngineName[] {
  const env = process.env.HANDOVER_ENGINES
  if (env === undefined || env.trim() === '') return [...ENGINES]
  return env.split(',').map(s => s.trim()).filter((s): s is EngineName => (ENGINES as readonly string[]).includes(s))
}
