// The payee's verification worker on its own, in real Chromium (the bench page of
// bench/verify.ts): with the core's cost meter switched off, a CPU-bomb payment that
// would run for most of an hour is still stopped by the worker's time budget, refused
// TOO_COSTLY, and the page's main thread never stalls while the worker burns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build } from 'vite'
import type { Browser, Page } from 'playwright-core'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { launch } from './browser.ts'

let out: string
let srv: RunningServer
let browser: Browser
let page: Page

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'verify-worker-'))
  await build({ root: resolve('bench/pages/verify'), configFile: false, logLevel: 'error', base: './', build: { outDir: out, emptyOutDir: true, target: 'es2022' } })
  srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: out })
  browser = await launch()
  page = await browser.newPage()
  await page.goto(srv.url + '/index.html')
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await srv?.close()
  if (out !== undefined) rmSync(out, { recursive: true, force: true })
})

describe('verification worker time budget (issue 9 item 2)', () => {
  it('kills a verification past its budget and refuses TOO_COSTLY; the main thread keeps running', async () => {
    const r = await page.evaluate(async () => await window.verifyBench.unmetered(1_500))
    expect(r.outcome).toBe('rejected TOO_COSTLY')
    expect(r.detail).toBe('checking took more than 1500 ms')
    expect(r.ms).toBeGreaterThanOrEqual(1_500)
    // The budget counts from when the job is posted; a loaded machine adds a little.
    expect(r.ms).toBeLessThan(5_000)
    expect(r.maxBlockMs).toBeLessThan(500)
    // A fresh worker takes the next payment.
    const typical = await page.evaluate(async () => await window.verifyBench.typical(1))
    expect(typical).toHaveLength(1)
  })
})
