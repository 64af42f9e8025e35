// App load benchmarks for the built app (issue 5): what a phone downloads first, how soon it
// paints, and how soon a returning user sees their balance. Needs `dist/` (npx vite build);
// serves it with the real server and an in-memory devnet, and drives real Chromium with
// mobile emulation.
//   entry_js_gzip_kb / entry_css_gzip_kb: gzip -9 of the initial JS (entry scripts, modulepreloads
//     and their static imports, transitively; dynamic imports excluded) and CSS; kB = 1000 bytes,
//     as Vite prints sizes.
//   first_paint_ms: navigation start → first-contentful-paint, cold (fresh context: empty cache,
//     no service worker). Median of 5.
//   time_to_balance_ms: navigation start → balance shows a number, for an existing (locked,
//     funded) wallet whose passphrase is submitted as soon as the unlock field appears.
//   vault_unlock_in_browser_ms: unlock submitted → balance shown (mostly PBKDF2). Median of 5.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { parseAst } from 'vite'
import type { Browser } from 'playwright-core'
import { startAppServer } from '../server/app-server.ts'
import { launch } from '../tests/e2e/browser.ts'
import { median } from './lib/stats.ts'
import { APP_DIST, BENCH_PASS, MOBILE, fundedWallet, print } from './lib/load-lab.ts'

const RUNS = 5
const dist = APP_DIST

if (!existsSync(join(dist, 'index.html'))) {
  console.error('bench/app-load.ts: dist/index.html is missing; build the app first with `npx vite build`.')
  process.exit(1)
}

// ---- Initial bytes: follow the entry's static import graph in the built files.

/** A root-relative URL from index.html ('/assets/x.js' or 'assets/x.js') to a file in dist. */
function distFile (url: string): string {
  return join(dist, new URL(url, 'http://app/').pathname)
}

function staticImports (file: string): string[] {
  const ast = parseAst(readFileSync(file, 'utf8'))
  const out: string[] = []
  for (const node of ast.body) {
    // Static imports and re-exports can only be top-level statements; import() is an expression.
    if ((node.type === 'ImportDeclaration' || node.type === 'ExportNamedDeclaration' || node.type === 'ExportAllDeclaration') && node.source != null) {
      const spec = String(node.source.value)
      if (spec.startsWith('.') || spec.startsWith('/')) out.push(spec.startsWith('/') ? distFile(spec) : resolve(dirname(file), spec))
    }
  }
  return out
}

function attr (tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1]
}

const html = readFileSync(join(dist, 'index.html'), 'utf8')
const roots: string[] = []
const css: string[] = []
for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
  const src = attr(tag, 'src')
  if (src !== undefined) roots.push(distFile(src))
}
for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
  const rel = attr(tag, 'rel')?.toLowerCase()
  const href = attr(tag, 'href')
  if (href === undefined) continue
  if (rel === 'modulepreload') roots.push(distFile(href))
  if (rel === 'stylesheet') css.push(distFile(href))
}
if (roots.length === 0) throw new Error('no entry script in dist/index.html')
const initial = new Set<string>()
const queue = [...roots]
while (queue.length > 0) {
  const f = queue.pop()!
  if (initial.has(f)) continue
  initial.add(f)
  queue.push(...staticImports(f))
}
const gzipKb = (files: Iterable<string>): number => {
  let n = 0
  for (const f of files) n += gzipSync(readFileSync(f), { level: 9 }).length
  return n / 1000
}
print('entry_js_gzip_kb', gzipKb(initial), 'kB')
print('entry_css_gzip_kb', gzipKb(css), 'kB')

// ---- In the browser.

interface Times { field?: number, submit?: number, balance?: number, text?: string }

/** Runs in the page before the app: answers the unlock field as soon as it appears and records times. */
const UNLOCK_AND_WATCH = `(() => {
  const t = window.__bench = {}
  let answered = false
  const look = () => {
    const field = document.querySelector('form input[type="password"]')
    if (field && !answered) {
      answered = true
      t.field = performance.now()
      field.value = ${JSON.stringify(BENCH_PASS)}
      field.dispatchEvent(new Event('input', { bubbles: true }))
      const form = field.form
      const submit = () => {
        const button = form.querySelector('button[type="submit"]')
        if (button.disabled) { requestAnimationFrame(submit); return }
        t.submit = performance.now()
        button.click()
      }
      queueMicrotask(submit)
    }
    const balance = document.querySelector('[data-testid="balance"]')
    if (balance && t.balance === undefined && /\\d/.test(balance.textContent || '')) {
      t.balance = performance.now()
      t.text = balance.textContent
    }
  }
  new MutationObserver(look).observe(document, { childList: true, subtree: true, characterData: true })
})()`

const FCP = `new Promise(resolve => {
  const hit = list => { const e = list.getEntriesByName('first-contentful-paint')[0]; if (e) resolve(e.startTime) }
  new PerformanceObserver(hit).observe({ type: 'paint', buffered: true })
})`

async function firstPaint (browser: Browser, url: string): Promise<number> {
  const ctx = await browser.newContext(MOBILE)
  try {
    const page = await ctx.newPage()
    await page.goto(url)
    return await page.evaluate(FCP) as number
  } finally {
    await ctx.close()
  }
}

async function timeToBalance (browser: Browser, url: string): Promise<Array<{ toBalance: number, unlock: number }>> {
  const ctx = await browser.newContext(MOBILE)
  try {
    // A funded wallet, created once through the UI; a returning user has the service worker.
    await fundedWallet(ctx, url)

    const runs: Array<{ toBalance: number, unlock: number }> = []
    for (let i = 0; i < RUNS; i++) {
      const page = await ctx.newPage()
      await page.addInitScript(UNLOCK_AND_WATCH)
      await page.goto(url)
      await page.waitForFunction(() => (window as unknown as { __bench?: Times }).__bench?.balance !== undefined, undefined, { timeout: 30_000 })
      const t = await page.evaluate(() => (window as unknown as { __bench: Required<Times> }).__bench)
      if (!/^1,000,000\b/.test(t.text)) throw new Error(`unexpected balance after unlock: ${t.text}`)
      runs.push({ toBalance: t.balance, unlock: t.balance - t.submit })
      await page.close()
    }
    return runs
  } finally {
    await ctx.close()
  }
}

const srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: dist, devnetFile: ':memory:' })
const browser = await launch()
try {
  const url = srv.url + '/'
  const paints: number[] = []
  for (let i = 0; i < RUNS; i++) paints.push(await firstPaint(browser, url))
  print('first_paint_ms', median(paints), 'ms')
  const runs = await timeToBalance(browser, url)
  print('time_to_balance_ms', median(runs.map(r => r.toBalance)), 'ms')
  print('vault_unlock_in_browser_ms', median(runs.map(r => r.unlock)), 'ms')
} finally {
  await browser.close()
  await srv.close()
}
