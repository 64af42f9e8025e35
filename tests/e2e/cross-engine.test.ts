// Paying across engines through the UI, as two people with different phones would:
// Firefox and Chromium in both roles and both pairing modes (one scan of an invite, and
// two scans with no server), and WebKit, which has no WebRTC here, with Chromium
// through the encrypted relay. Each payment is made once, arrives once, and both
// ledgers name the same transaction.
// HANDOVER_ENGINES=chromium,firefox limits the pairs to the engines named.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { encodeSdpText } from '../../src/core/sdp/index.ts'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { enginesToRun, launchEngine, type Engine, type EngineName, type Phone } from './engines.ts'
import {
  attr, balanceSats, check, click, createWallet, fill, pointCamera, re, screenText, texts, waitBalance, waitText
} from './phone-ui.ts'
import { LOOPBACK_SIGNALLING } from './loopback-signalling.ts'

let srv: RunningServer
const engines = new Map<EngineName, Engine>()
const phones: Phone[] = []
const wanted = enginesToRun()

beforeAll(async () => {
  srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: resolve('dist'), devnetFile: ':memory:', signalling: LOOPBACK_SIGNALLING })
  for (const name of wanted) engines.set(name, await launchEngine(name))
})
afterAll(async () => {
  for (const e of engines.values()) await e.close().catch(() => undefined)
  await srv?.close()
})
afterEach(async () => {
  const errors: string[] = []
  for (const p of phones.splice(0)) {
    errors.push(...(await p.takeErrors()).map(e => `[${p.engine}] ${e}`))
    await p.close().catch(() => undefined)
  }
  expect(errors, 'uncaught errors or CSP violations in the app').toEqual([])
})

async function phone (engine: EngineName): Promise<Phone> {
  // No camera permission granted: Chromium then hides its host addresses behind mDNS
  // names, the hardest case for two-scan codes (the filmed camera needs no permission).
  const p = await engines.get(engine)!.newPhone({ camera: false })
  phones.push(p)
  await p.goto(srv.url + '/')
  return p
}

async function mine (): Promise<void> {
  const r = await fetch(srv.url + '/devnet/mine', { method: 'POST', body: JSON.stringify({ blocks: 1 }) })
  if (!r.ok) throw new Error(`mine failed: ${r.status}`)
}

async function twoPhones (payerEngine: EngineName, payeeEngine: EngineName): Promise<[Phone, Phone]> {
  const [payer, payee] = await Promise.all([phone(payerEngine), phone(payeeEngine)])
  await Promise.all([
    (async () => { await createWallet(payer); await click(payer, 'Get test coins'); await waitBalance(payer, 1_000_000) })(),
    createWallet(payee)
  ])
  return [payer, payee]
}

async function request (payee: Phone, sats: number, memo: string, twoScans: boolean): Promise<void> {
  await click(payee, 'Receive')
  await fill(payee, 'Amount (satoshis)', String(sats))
  await fill(payee, 'What for (optional)', memo)
  if (twoScans) await check(payee, 'Two scans, no server (works without internet)')
  await click(payee, 'Show payment code')
}

async function confirmOnPayer (payer: Phone, payee: Phone, sats: number, memo: string): Promise<void> {
  const req = await waitText(payer, '[data-testid="pay-request"]', `${sats.toLocaleString('en-US')} sats`, 45_000).catch(async e => {
    throw new Error(`no payment request on the payer: ${(e as Error).message}\n--- payer (${payer.engine}):\n${await screenText(payer)}\n--- payee (${payee.engine}):\n${await screenText(payee)}`)
  })
  expect(req).toContain(memo)
  // both screens show the same short authentication string
  const sas = await waitText(payer, '[data-testid="sas"]', re(/^\d{3} \d{3}$/))
  expect(await waitText(payee, '[data-testid="sas"]', re(/^\d{3} \d{3}$/))).toBe(sas)
  await click(payer, 'Confirm and pay')
}

/** Paid exactly once: one transaction, in both ledgers, mined, and the payee holds exactly the amount. */
async function expectPaidOnce (payer: Phone, payee: Phone, sats: number): Promise<void> {
  await expect.poll(async () => await attr(payer, '[data-testid="pay-status"]', 'data-phase'), { timeout: 30_000 }).toMatch(/acked|broadcast|seen|mined/)
  await expect.poll(async () => await attr(payee, '[data-testid="receive-status"]', 'data-phase'), { timeout: 30_000 }).toMatch(/broadcast|seen|mined/)
  await mine()
  await click(payee, 'Done')
  await click(payer, 'Done')
  for (const p of [payer, payee]) { await click(p, 'Wallet'); await click(p, 'Refresh') }
  await waitBalance(payee, sats)
  const inTx = '[data-testid="history"] li[data-direction="in"]'
  const outTx = '[data-testid="history"] li[data-direction="out"]'
  await expect.poll(async () => await attr(payee, inTx, 'data-status'), { timeout: 30_000 }).toBe('mined')
  await expect.poll(async () => await attr(payer, outTx, 'data-status'), { timeout: 40_000 }).toBe('mined')
  expect(await texts(payee, inTx)).toHaveLength(1)
  expect(await texts(payer, outTx)).toHaveLength(1)
  const txid = await attr(payer, outTx, 'data-txid')
  expect(txid).toMatch(/^[0-9a-f]{64}$/)
  expect(await attr(payee, inTx, 'data-txid')).toBe(txid)
  const fee = 1_000_000 - sats - await balanceSats(payer)
  expect(fee).toBeGreaterThan(0)
  expect(fee).toBeLessThan(100)
}

async function payByInvite (payer: Phone, payee: Phone, sats: number, memo: string): Promise<void> {
  await request(payee, sats, memo, false)
  await pointCamera(payee, payer)
  await click(payer, 'Pay')
  await click(payer, 'Scan a code')
  await confirmOnPayer(payer, payee, sats, memo)
}

async function payByTwoScans (payer: Phone, payee: Phone, sats: number, memo: string): Promise<void> {
  await request(payee, sats, memo, true)
  const offer = await pointCamera(payee, payer)
  expect(offer.length).toBeLessThanOrEqual(154) // a QR of version 6 at most
  await click(payer, 'Pay')
  await click(payer, 'Scan a code')
  const answer = await pointCamera(payer, payee)
  expect(answer.length).toBeLessThanOrEqual(154)
  await click(payee, "Scan the payer's code")
  await confirmOnPayer(payer, payee, sats, memo)
}

const has = (...names: EngineName[]): boolean => names.every(n => wanted.includes(n))

describe.skipIf(!has('chromium', 'firefox'))('Firefox and Chromium', () => {
  for (const [payerEngine, payeeEngine] of [['firefox', 'chromium'], ['chromium', 'firefox']] as const) {
    it(`${payerEngine} pays ${payeeEngine} with one scan of an invite`, async () => {
      const [payer, payee] = await twoPhones(payerEngine, payeeEngine)
      await payByInvite(payer, payee, 25_000, 'coffee')
      await expectPaidOnce(payer, payee, 25_000)
    })

    it(`${payerEngine} pays ${payeeEngine} with two scans, no server`, async () => {
      const [payer, payee] = await twoPhones(payerEngine, payeeEngine)
      await payByTwoScans(payer, payee, 30_000, 'bread')
      // a direct WebRTC link: the codes carried addresses both engines reach
      expect(await screenText(payer)).toContain('Connected directly')
      await expectPaidOnce(payer, payee, 30_000)
    })
  }
})

describe.skipIf(!has('chromium', 'webkit'))('WebKit (no WebRTC) and Chromium, through the encrypted relay', () => {
  for (const [payerEngine, payeeEngine] of [['webkit', 'chromium'], ['chromium', 'webkit']] as const) {
    it(`${payerEngine} pays ${payeeEngine}`, async () => {
      const [payer, payee] = await twoPhones(payerEngine, payeeEngine)
      await payByInvite(payer, payee, 20_000, 'tea')
      await expectPaidOnce(payer, payee, 20_000)
    })
  }

  it('WebKit asked for two scans explains why not and offers the one-scan code instead', async () => {
    const payee = await phone('webkit')
    await createWallet(payee)
    await request(payee, 1000, 'x', true)
    await waitText(payee, '[role="alert"]', 'cannot connect phones directly')
    await click(payee, 'Show a one-scan code')
    await waitText(payee, 'main', 'Ask the payer to scan this code')
    expect(await attr(payee, '[data-testid="pair-qr"]', 'data-text')).toMatch(/^[0-9A-Z $%*+\-./:]+$/)
  })

  it('WebKit handed a two-scan code to answer says why it cannot, and what to ask for', async () => {
    const payer = await phone('webkit')
    await createWallet(payer)
    // a real Chromium offer, as a payee's two-scan code
    const offer = encodeSdpText('offer', readFileSync(new URL('../fixtures/sdp/chromium-offer.txt', import.meta.url), 'utf8'))
    await click(payer, 'Pay')
    await click(payer, 'Scan a code')
    await fill(payer, 'Or paste the code', offer)
    await click(payer, 'Use pasted code')
    await waitText(payer, '[role="alert"]', 'cannot answer a two-scan code')
    expect(await screenText(payer)).toMatch(/one-scan code/)
  })
})
