// A phone whose whole browser can die: Chromium with a persistent profile (IndexedDB on
// disk, as on a real phone), killed with SIGKILL mid-payment and started again on the same
// profile. The camera is a y4m file the test repaints (see phones.ts pointCamera).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { BASE_FLAGS, CHROMIUM } from './browser.ts'
import { writeBlank } from './phones.ts'
import { recordPageErrors } from './page-errors.ts'
import { unlock } from './wallet-ui.ts'

export interface KillablePhone {
  readonly name: string
  readonly profile: string
  readonly camera: string
  ctx: BrowserContext
  page: Page
}

async function open (name: string, profile: string, camera: string, url: string): Promise<{ ctx: BrowserContext, page: Page }> {
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_FLAGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${camera}`],
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    permissions: ['camera']
  })
  const page = ctx.pages()[0] ?? await ctx.newPage()
  recordPageErrors(page, name)
  if (process.env.DEBUG_PHONES === '1') page.on('console', m => { console.error(`[${name}] ${m.type()}: ${m.text()}`) })
  await page.goto(url)
  return { ctx, page }
}

export async function killablePhone (url: string, dir: string, name: string): Promise<KillablePhone> {
  const profile = join(dir, `${name}-profile`)
  const camera = join(dir, `${name}.y4m`)
  writeBlank(camera)
  const { ctx, page } = await open(name, profile, camera, url)
  return { name, profile, camera, ctx, page }
}

/** The browser's main process for this profile (the one without --type=). */
function browserPid (profile: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    let args: string[]
    try { args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0') } catch { continue }
    if (args.includes(`--user-data-dir=${profile}`) && !args.some(a => a.startsWith('--type='))) return Number(d)
  }
  throw new Error(`no browser process for ${profile}`)
}

/** The whole browser dies at once, as when a phone's OS kills it: no unload, no flush. */
export async function kill (phone: KillablePhone): Promise<void> {
  const closed = new Promise<void>(resolve => phone.ctx.once('close', () => resolve()))
  process.kill(browserPid(phone.profile), 'SIGKILL')
  await closed
}

/** Starts the browser again on the same profile and unlocks the wallet. */
export async function reopen (phone: KillablePhone, url: string): Promise<Page> {
  const { ctx, page } = await open(phone.name, phone.profile, phone.camera, url)
  phone.ctx = ctx
  phone.page = page
  await unlock(page)
  return page
}

export interface Stored {
  sessions: Array<{ paymentId: string, role: string, peerKey?: string, state: { phase: string, txid?: string, request: { memo?: string, payeeIdentityKey: string } } }>
  ledger: Array<{ txid: string, direction: string, status: string, memo?: string, counterparty?: string }>
  outbox: Array<{ txid: string, attempts: number, nextAttemptAt: number }>
}

/** What the phone has stored: its payment sessions and ledger (devnet database). */
export async function stored (page: Page): Promise<Stored> {
  return await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('handover-devnet')
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    const all = async (store: string): Promise<unknown[]> => await new Promise((resolve, reject) => {
      const r = db.transaction(store).objectStore(store).getAll()
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    const out = { sessions: await all('sessions'), ledger: await all('ledger'), outbox: await all('outbox') }
    db.close()
    return out
  }) as Stored
}
