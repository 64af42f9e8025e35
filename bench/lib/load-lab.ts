// Shared by the load benchmarks (issue 12): an emulated mid-range Android phone (CPU 4× slower,
// Slow 4G: 150 ms round trip, 1.6 Mbps down, 750 kbps up, as Lighthouse's mobile preset), the
// built app or an empty Vite + Svelte page served by our own server, and a probe that stamps
// when the first usable screen is on the glass.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import type { BrowserContext, BrowserContextOptions, CDPSession, Page } from 'playwright-core'
import { fillCreateWallet } from '../../tests/e2e/onboard.ts'
import { precompress } from '../../build/precompress.ts'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** The built app to measure; HANDOVER_BENCH_DIST points at another build (an older commit's, to compare). */
export const APP_DIST = resolve(process.env.HANDOVER_BENCH_DIST ?? join(REPO, 'dist'))

export const MOBILE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }
export const CPU_SLOWDOWN = 4
export const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 }

/** The passphrase of the wallet fundedWallet makes. */
export const BENCH_PASS = 'correct horse battery staple'

/**
 * A returning user's phone: a wallet created through the UI (unthrottled) in this context and
 * funded with the devnet faucet (1,000,000 sat), the service worker installed and its precache
 * done, so every measured run after it starts alike. The page is closed on return: the app
 * refuses a second tab, so the next page opened in the context is the one measured.
 */
export async function fundedWallet (ctx: BrowserContext, url: string): Promise<void> {
  const setup = await ctx.newPage()
  await setup.goto(url)
  await fillCreateWallet(setup, BENCH_PASS)
  await setup.getByRole('button', { name: 'Get test coins' }).click()
  await setup.waitForFunction(() => /^1,000,000\b/.test(document.querySelector('[data-testid="balance"]')?.textContent ?? ''), undefined, { timeout: 60_000 })
  await setup.evaluate('navigator.serviceWorker.ready.then(() => true)')
  await setup.waitForLoadState('networkidle')
  await setup.close()
}

export function print (metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit }))
}

/** Throttles this page's CPU and network; returns the CDP session (Network is enabled on it). */
export async function throttle (page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN })
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G)
  return cdp
}

/** Counts bytes the page received for scripts (compressed size on the wire plus headers). */
export function countScriptBytes (cdp: CDPSession): { bytes: () => number } {
  const scripts = new Set<string>()
  let bytes = 0
  cdp.on('Network.responseReceived', e => { if (e.type === 'Script') scripts.add(e.requestId) })
  cdp.on('Network.loadingFinished', e => { if (scripts.has(e.requestId)) bytes += e.encodedDataLength })
  return { bytes: () => bytes }
}

export interface Stamps { screen?: number, fcp?: number, frameStart?: number }

/**
 * Runs in the page before anything else: stamps when the frame that first shows an element
 * matching `selector` has been rendered (a message posted from that frame's
 * requestAnimationFrame callback runs right after its style, layout and paint), and the first
 * contentful paint. Not the callback's own timestamp (kept as frameStart): Chromium gives it
 * the time the frame was begun, which, when the main thread was busy, is long before the frame
 * ran — 120–260 ms before the empty page's actual first paint, measured. The static shell
 * matches no selector we use: it is not a usable screen.
 */
export function firstScreenProbe (selector: string): string {
  return `(() => {
    const t = window.__stamps = {}
    const look = () => {
      if (t.screen === undefined && t.seen !== true && document.querySelector(${JSON.stringify(selector)})) {
        t.seen = true
        requestAnimationFrame(ts => {
          t.frameStart = ts
          const ch = new MessageChannel()
          ch.port1.onmessage = () => { t.screen = performance.now() }
          ch.port2.postMessage(0)
        })
      }
    }
    new MutationObserver(look).observe(document, { childList: true, subtree: true })
    new PerformanceObserver(list => {
      const e = list.getEntriesByName('first-contentful-paint')[0]
      if (e) t.fcp = e.startTime
    }).observe({ type: 'paint', buffered: true })
  })()`
}

export async function waitForStamps (page: Page): Promise<Required<Stamps>> {
  await page.waitForFunction(() => { const t = (window as unknown as { __stamps?: Stamps }).__stamps; return t?.screen !== undefined && t.fcp !== undefined }, undefined, { timeout: 60_000, polling: 50 })
  return await page.evaluate(() => (window as unknown as { __stamps: Required<Stamps> }).__stamps)
}

/** What the empty page's first screen is. */
export const EMPTY_PAGE_SCREEN = 'main h1'

/**
 * Builds the empty Vite + Svelte page (one component, mounted) with the same Vite, Svelte and
 * compression step as the app, into a folder under node_modules/.cache (so 'svelte' resolves).
 * HANDOVER_BENCH_RAW=1 leaves compression out, to measure it as an older build was served.
 */
export async function buildEmptySveltePage (): Promise<string> {
  const root = join(REPO, 'node_modules', '.cache', 'handover-bench-empty-page')
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html>\n<html lang="en"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><meta name="description" content="Empty page" /><title>Empty</title></head>\n<body><div id="app"></div><script type="module" src="/main.js"></script></body></html>\n')
  writeFileSync(join(root, 'main.js'), "import { mount } from 'svelte'\nimport App from './App.svelte'\nmount(App, { target: document.getElementById('app') })\n")
  writeFileSync(join(root, 'App.svelte'), '<script>let n = $state(0)</script>\n<main><h1>Hello</h1><button onclick={() => n++}>Clicked {n}</button></main>\n')
  const outDir = join(root, 'dist')
  await build({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: [svelte(), ...(process.env.HANDOVER_BENCH_RAW === '1' ? [] : [precompress()])],
    build: { outDir, target: 'es2022', emptyOutDir: true }
  })
  if (!existsSync(join(outDir, 'index.html'))) throw new Error('empty page build wrote no index.html')
  return outDir
}
