// pay_request_to_ack_ms (request in the payer's hands, confirmed at once, to the ack): a 3-input face-to-face payment over a live WebRTC link between two
// headless Chromium processes ("phones"), each running the app's own Wallet, pairing and
// payment sessions against the real server's devnet (goal ≤ 100 ms end to end).
// channel_rtt_ms: link pings over the same link in the same run.
// Run alone: npx tsx bench/pay.ts
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import type { Browser, Page } from 'playwright-core'
import { startAppServer, type RunningServer } from '../server/app-server.ts'
import { launch } from '../tests/e2e/browser.ts'
import type { PayTiming, PayeeTiming } from './pages/pay/main.ts'
import { median, percentile } from './lib/stats.ts'

const WARMUP = 1 // first payment: cold caches (fee policy, block headers, JIT)
const RUNS = 10
const PINGS = 20
const COIN = 20_000
const AMOUNT = 50_000 // more than any two coins: all three must be spent
const PAYER_WORDS = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const PAYEE_WORDS = 'legal winner thank year wave sausage worth useful legal winner thank yellow'

const emit = (metric: string, value: number, unit: string): void => { console.log(JSON.stringify({ metric, value, unit })) }
const p95 = (xs: number[]): number => percentile(xs, 0.95)
const round = (x: number): number => Math.round(x * 10) / 10
const log = (s: string): void => { if (process.env.BENCH_VERBOSE === '1') console.error(s) }

async function devnet (srv: RunningServer, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${srv.url}/devnet/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.text()
  if (!res.ok) throw new Error(`devnet ${path} answered ${res.status}: ${text}`)
  return JSON.parse(text)
}

async function phone (browser: Browser, url: string, name: string): Promise<Page> {
  const page = await browser.newPage()
  page.on('pageerror', e => { console.error(`[${name}] page error: ${e.message}`) })
  if (process.env.BENCH_VERBOSE === '1') page.on('console', m => { console.error(`[${name}] ${m.type()}: ${m.text()}`) })
  await page.goto(url + '/index.html')
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
  return page
}

const here = dirname(fileURLToPath(import.meta.url))
const out = mkdtempSync(join(tmpdir(), 'bench-pay-'))
const browsers: Browser[] = []
let srv: RunningServer | undefined
const guard = setTimeout(() => { console.error('bench pay: gave up after 90 s'); process.exit(1) }, 90_000)
try {
  await build({ root: resolve(here, 'pages/pay'), configFile: false, logLevel: 'error', base: './', build: { outDir: out, emptyOutDir: true, target: 'es2022' } })
  srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: out, devnetFile: ':memory:', signalling: {} })
  const s = srv
  // Two browser processes, as two phones: nothing shared but the server and loopback.
  browsers.push(await launch(), await launch())
  const payer = await phone(browsers[0]!, s.url, 'payer')
  const payee = await phone(browsers[1]!, s.url, 'payee')
  const prefix = `bench-pay-${Date.now()}`
  await payer.evaluate(async ([w, p]) => await window.bench.open(w!, p!), [PAYER_WORDS, prefix])
  await payee.evaluate(async ([w, p]) => await window.bench.open(w!, p!), [PAYEE_WORDS, prefix])

  // The app's two-scan pairing, texts handed over by the driver instead of cameras.
  const offer = await payee.evaluate(async () => await window.bench.payeeOffer())
  const answer = await payer.evaluate(async (t) => await window.bench.payerAnswer(t), offer)
  const [ee, er] = await Promise.all([
    payee.evaluate(async (t) => await window.bench.payeeAccept(t), answer),
    payer.evaluate(async () => await window.bench.payerLinked())
  ])
  if (ee.sas !== er.sas) throw new Error(`pairing: the two phones show different codes (${ee.sas} / ${er.sas})`)
  if (er.mode !== 'direct') throw new Error(`pairing: expected a direct WebRTC link, got ${er.mode}`)
  log(`linked (${er.mode}), SAS ${er.sas}`)

  const rtts: number[] = [...await payer.evaluate(async (n) => await window.bench.pings(n), PINGS)]

  const pays: PayTiming[] = []
  const payees: PayeeTiming[] = []
  for (let i = 0; i < WARMUP + RUNS; i++) {
    // Three fresh coins on three receive addresses of the payer, mined and synced.
    const addrs = await payer.evaluate(async () => await window.bench.freshAddresses(3))
    for (const address of addrs) await devnet(s, 'faucet', { address, satoshis: COIN })
    await devnet(s, 'mine', { blocks: 1 })
    const coins = await payer.evaluate(async () => await window.bench.sync())
    if (coins.rejected.length > 0) throw new Error(`funding: sync rejected coins: ${coins.rejected.join('; ')}`)
    if (i === 0 && (coins.spendable !== 3 * COIN || coins.unspent.length !== 3)) throw new Error(`funding: expected 3 coins of ${COIN} sats, got ${JSON.stringify(coins)}`)
    if (coins.unspent.filter(c => c === COIN).length < 3) throw new Error(`funding: the new coins did not arrive: ${JSON.stringify(coins)}`)

    // Payer listens first; the payee's attach() sends the request.
    await payer.evaluate(() => { window.bench.payerArm() })
    await payee.evaluate(async (n) => await window.bench.payeeRequest(n), AMOUNT)
    const t = await payer.evaluate(async () => await window.bench.payerPay())
    const e = await payee.evaluate(async () => await window.bench.payeeDone())
    if (t.inputs !== 3) throw new Error(`payment ${t.txid} spent ${t.inputs} coins, expected 3`)
    log(`payment ${i}${i < WARMUP ? ' (warm-up)' : ''}: ${round(t.requestToAck)} ms; signed ${round(t.signed)}, handed over ${round(t.handedOver)}; ` +
      `payee: received +${round(e.paymentReceivedWall - t.handedOverWall)}, verified +${round(e.verifiedWall - e.paymentReceivedWall)}, stored+acked +${round(e.ackedWall - e.verifiedWall)}, ack arrived +${round(t.ackWall - e.ackedWall)}; payee ${e.phase}`)
    if (i >= WARMUP) { pays.push(t); payees.push(e) }
    await devnet(s, 'mine', { blocks: 1 })
  }

  rtts.push(...await payer.evaluate(async (n) => await window.bench.pings(n), PINGS))

  const ack = pays.map(p => p.requestToAck)
  emit('pay_request_to_ack_ms', round(median(ack)), 'ms')
  emit('pay_request_to_ack_p95_ms', round(p95(ack)), 'ms')
  // Sign, store (coins marked spent) and send: the payer's own share of the total.
  emit('pay_sign_commit_send_ms', round(median(pays.map(p => p.handedOver))), 'ms')
  emit('pay_payee_verify_ms', round(median(payees.map(p => p.verifiedWall - p.paymentReceivedWall))), 'ms')
  emit('channel_rtt_ms', round(median(rtts)), 'ms')
} catch (e) {
  console.error(`bench pay failed: ${e instanceof Error ? e.message : String(e)}`)
  process.exitCode = 1
} finally {
  for (const b of browsers) await b.close().catch(() => undefined)
  await srv?.close()
  rmSync(out, { recursive: true, force: true })
  clearTimeout(guard)
}
