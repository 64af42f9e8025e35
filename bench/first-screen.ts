// Issue 12: how soon a phone shows a usable first screen, and unlocks, on an emulated
// mid-range Android phone (CPU 4× slower, Slow 4G), against an empty Vite + Svelte page
// built and served the same way in the same run. Needs `npm run build` first.
//   cold_first_screen_ms_4x: navigation → the end of the frame that paints the first screen a new
//     visitor can use (the welcome screen's buttons); empty cache, no service worker. Median of RUNS.
//     (Before 2026-11 the stamp was that frame's requestAnimationFrame timestamp, which Chromium
//     sets when the frame is begun, often long before it runs: see bench/lib/load-lab.ts. stderr
//     still lists those frame starts, to compare with older numbers.)
//   baseline_first_screen_ms_4x: the same for the empty page (its mounted component), and the
//     ratio of the two (goal ≤ 1.5).
//   cold_fcp_ms_4x: first contentful paint of the cold load (the static shell paints here).
//   js_bytes_over_wire_kb: script bytes received (compressed, with headers) by the cold first
//     screen; js_bytes_over_wire_settled_kb: all script bytes of the cold visit once the network
//     is quiet (the code loaded for after unlock and the service worker's precache included).
//   warm_first_screen_ms_4x: a returning visitor (wallet on the phone, service worker installed)
//     → the lock screen's passphrase field.
//   unlock_to_balance_ms_4x: on that warm page, the passphrase is submitted TYPING_MS after the
//     field appeared (a short passphrase typed quickly) → the balance shows a number.
//   (entry_js_gzip_kb, the initial JS graph gzipped, is printed by bench/app-load.ts.)
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { existsSync } from 'node:fs'
import { startAppServer } from '../server/app-server.ts'
import { launch } from '../tests/e2e/browser.ts'
import { median } from './lib/stats.ts'
import { APP_DIST, BENCH_PASS, EMPTY_PAGE_SCREEN, MOBILE, buildEmptySveltePage, countScriptBytes, firstScreenProbe, fundedWallet, print, throttle, waitForStamps } from './lib/load-lab.ts'

const RUNS = Number(process.env.HANDOVER_BENCH_RUNS ?? 5)
const TYPING_MS = 1500
/** The welcome screen's buttons, or the lock screen's field: the app's usable first screens. */
const APP_SCREEN = 'main button, main input'

if (!existsSync(join(APP_DIST, 'index.html'))) {
  console.error(`bench/first-screen.ts: ${APP_DIST}/index.html is missing; run \`npm run build\` first.`)
  process.exit(1)
}

async function cold (browser: Browser, url: string, selector: string): Promise<{ screen: number, frameStart: number, fcp: number, jsAtScreen: number, jsSettled: number }> {
  const ctx = await browser.newContext(MOBILE)
  try {
    const page = await ctx.newPage()
    const cdp = await throttle(page)
    const js = countScriptBytes(cdp)
    await page.addInitScript(firstScreenProbe(selector))
    await page.goto(url, { waitUntil: 'commit' })
    const t = await waitForStamps(page)
    const jsAtScreen = js.bytes()
    await page.waitForLoadState('networkidle', { timeout: 120_000 }).catch(() => undefined)
    return { screen: t.screen, frameStart: t.frameStart, fcp: t.fcp, jsAtScreen, jsSettled: js.bytes() }
  } finally {
    await ctx.close()
  }
}

/** In the page: fills the passphrase, submits as soon as the button allows, stamps submit and balance. */
const UNLOCK = `new Promise((resolve, reject) => {
  const field = document.querySelector('main input[type="password"]')
  field.value = ${JSON.stringify(BENCH_PASS)}
  field.dispatchEvent(new Event('input', { bubbles: true }))
  let submit
  const done = () => {
    const b = document.querySelector('[data-testid="balance"]')
    if (submit !== undefined && b && /\\d/.test(b.textContent || '')) { obs.disconnect(); resolve({ submit, balance: performance.now(), text: b.textContent }) }
  }
  const obs = new MutationObserver(done)
  obs.observe(document, { childList: true, subtree: true, characterData: true })
  const press = () => {
    const button = field.form.querySelector('button[type="submit"]')
    if (button.disabled) { requestAnimationFrame(press); return }
    submit = performance.now()
    button.click()
  }
  press()
  setTimeout(() => reject(new Error('no balance within 60 s: ' + document.body.innerText.slice(0, 300))), 60000)
})`

async function warm (browser: Browser, url: string): Promise<Array<{ screen: number, unlock: number }>> {
  const ctx = await browser.newContext(MOBILE)
  try {
    await fundedWallet(ctx, url)
    const runs: Array<{ screen: number, unlock: number }> = []
    for (let i = 0; i < RUNS; i++) {
      const page: Page = await ctx.newPage()
      await throttle(page)
      await page.addInitScript(firstScreenProbe('main input[type="password"]'))
      await page.goto(url, { waitUntil: 'commit' })
      const t = await waitForStamps(page)
      await page.waitForTimeout(TYPING_MS)
      const u = await page.evaluate(UNLOCK) as { submit: number, balance: number, text: string }
      if (!/^1,000,000\b/.test(u.text)) throw new Error(`unexpected balance after unlock: ${u.text}`)
      runs.push({ screen: t.screen, unlock: u.balance - u.submit })
      await page.close()
    }
    return runs
  } finally {
    await ctx.close()
  }
}

// HANDOVER_BENCH_ONLY=warm or =cold runs one half (to iterate on one of them).
const onlyWarm = process.env.HANDOVER_BENCH_ONLY === 'warm'
const onlyCold = process.env.HANDOVER_BENCH_ONLY === 'cold'
const emptyDist = await buildEmptySveltePage()
const app = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: APP_DIST, devnetFile: ':memory:' })
const empty = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: emptyDist })
const browser = await launch()
try {
  const appRuns: Array<Awaited<ReturnType<typeof cold>>> = []
  const emptyRuns: Array<Awaited<ReturnType<typeof cold>>> = []
  // Interleaved, so a busy moment of the machine hits both alike.
  for (let i = 0; i < (onlyWarm ? 0 : RUNS); i++) {
    appRuns.push(await cold(browser, app.url + '/', APP_SCREEN))
    emptyRuns.push(await cold(browser, empty.url + '/', EMPTY_PAGE_SCREEN))
  }
  if (!onlyWarm) printCold()
  function printCold (): void {
  const appScreen = median(appRuns.map(r => r.screen))
  const emptyScreen = median(emptyRuns.map(r => r.screen))
  print('cold_first_screen_ms_4x', appScreen, 'ms')
  print('baseline_first_screen_ms_4x', emptyScreen, 'ms')
  print('cold_first_screen_vs_baseline_ratio', appScreen / emptyScreen, 'x')
  print('cold_fcp_ms_4x', median(appRuns.map(r => r.fcp)), 'ms')
  print('baseline_fcp_ms_4x', median(emptyRuns.map(r => r.fcp)), 'ms')
  print('js_bytes_over_wire_kb', median(appRuns.map(r => r.jsAtScreen)) / 1000, 'kB')
  print('js_bytes_over_wire_settled_kb', median(appRuns.map(r => r.jsSettled)) / 1000, 'kB')
  print('baseline_js_bytes_over_wire_kb', median(emptyRuns.map(r => r.jsAtScreen)) / 1000, 'kB')
  }
  const w = onlyCold ? [] : await warm(browser, app.url + '/')
  // Every run on stderr, to judge the spread on a shared machine.
  console.error(JSON.stringify({ cold: appRuns.map(r => Math.round(r.screen)), baseline: emptyRuns.map(r => Math.round(r.screen)), coldFrameStart: appRuns.map(r => Math.round(r.frameStart)), baselineFrameStart: emptyRuns.map(r => Math.round(r.frameStart)), warm: w.map(r => Math.round(r.screen)), unlock: w.map(r => Math.round(r.unlock)) }))
  if (!onlyCold) {
    print('warm_first_screen_ms_4x', median(w.map(r => r.screen)), 'ms')
    print('unlock_to_balance_ms_4x', median(w.map(r => r.unlock)), 'ms')
  }
} finally {
  await browser.close()
  await app.close()
  await empty.close()
}
