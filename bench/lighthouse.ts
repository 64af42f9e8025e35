// Issue 12: Lighthouse's mobile performance score (the `lighthouse` npm package's default
// config: a Moto G Power-class phone, simulated Slow 4G and 4× CPU) for the built app and, in
// the same run, for an empty Vite + Svelte page built and served the same way. Debian's
// chromium, launched by chrome-launcher (Lighthouse's own launcher; nothing is downloaded).
// Needs `npm run build` first. Median of RUNS (Lighthouse's own advice: scores vary run to run).
//   lighthouse_performance (goal ≥ 98), baseline_lighthouse_performance, and the app's
//   lighthouse_fcp_ms / lighthouse_lcp_ms / lighthouse_tbt_ms as Lighthouse estimates them.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import lighthouse from 'lighthouse'
import { launch as launchChrome } from 'chrome-launcher'
import { startAppServer } from '../server/app-server.ts'
import { BASE_FLAGS, CHROMIUM } from '../tests/e2e/browser.ts'
import { median } from './lib/stats.ts'
import { APP_DIST, buildEmptySveltePage, print } from './lib/load-lab.ts'

const RUNS = Number(process.env.HANDOVER_BENCH_RUNS ?? 3)

if (!existsSync(join(APP_DIST, 'index.html'))) {
  console.error(`bench/lighthouse.ts: ${APP_DIST}/index.html is missing; run \`npm run build\` first.`)
  process.exit(1)
}

interface Score { score: number, fcp: number, lcp: number, tbt: number }

async function audit (url: string): Promise<Score> {
  // A fresh browser per run: Lighthouse measures a first visit (it also clears storage itself).
  const chrome = await launchChrome({ chromePath: CHROMIUM, chromeFlags: ['--headless=new', ...BASE_FLAGS], logLevel: 'silent' })
  try {
    const r = await lighthouse(url, { port: chrome.port, onlyCategories: ['performance'], output: 'json', logLevel: 'error' })
    if (r === undefined) throw new Error('lighthouse returned nothing')
    const lhr = r.lhr
    if (lhr.runtimeError !== undefined) throw new Error(`lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`)
    const ms = (id: string): number => lhr.audits[id]?.numericValue ?? NaN
    return { score: (lhr.categories.performance?.score ?? NaN) * 100, fcp: ms('first-contentful-paint'), lcp: ms('largest-contentful-paint'), tbt: ms('total-blocking-time') }
  } finally {
    chrome.kill()
  }
}

/** Lighthouse sometimes loses the trace under load (NO_NAVSTART, NO_FCP); such a run is repeated, twice at most. */
async function auditRetrying (url: string): Promise<Score> {
  for (let attempt = 1; ; attempt++) {
    try { return await audit(url) } catch (e) {
      if (attempt >= 3 || !/NO_NAVSTART|NO_FCP|NO_LCP|PROTOCOL_TIMEOUT/.test(String(e))) throw e
      console.error(`lighthouse run repeated: ${(e as Error).message}`)
    }
  }
}

const emptyDist = await buildEmptySveltePage()
const app = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: APP_DIST, devnetFile: ':memory:' })
const empty = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: emptyDist })
try {
  const a: Score[] = []
  const b: Score[] = []
  for (let i = 0; i < RUNS; i++) {
    a.push(await auditRetrying(app.url + '/'))
    b.push(await auditRetrying(empty.url + '/'))
  }
  print('lighthouse_performance', median(a.map(s => s.score)), 'score')
  print('baseline_lighthouse_performance', median(b.map(s => s.score)), 'score')
  print('lighthouse_fcp_ms', median(a.map(s => s.fcp)), 'ms')
  print('lighthouse_lcp_ms', median(a.map(s => s.lcp)), 'ms')
  print('lighthouse_tbt_ms', median(a.map(s => s.tbt)), 'ms')
  console.error(JSON.stringify({ app: a.map(s => Math.round(s.score)), baseline: b.map(s => Math.round(s.score)) }))
} finally {
  await app.close()
  await empty.close()
}
