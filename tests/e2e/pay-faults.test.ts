// Faults during a face-to-face payment: reloads, closed tabs and a miner out of reach at
// each step. Whatever happens, the payee is paid exactly once or not at all, no coin is
// spent twice, and both ledgers agree once a block is mined.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pointCamera, type CameraPhone } from './phones.ts'
import { usePhonePairs } from './phone-pair.ts'
import { balanceSats, entry, mine, refresh, unlock } from './wallet-ui.ts'

const pair = usePhonePairs('pay-faults')
const twoPhones = pair.twoPhones
const AMOUNT = 30_000

async function showRequest (payee: CameraPhone): Promise<void> {
  await payee.page.getByRole('button', { name: 'Receive' }).click()
  await payee.page.getByLabel('Amount (satoshis)').fill(String(AMOUNT))
  await payee.page.getByRole('button', { name: 'Show payment code' }).click()
  await payee.page.getByTestId('pair-qr').waitFor()
}

async function scanOnPayer (payer: CameraPhone, payee: CameraPhone): Promise<void> {
  await pointCamera(payee.page, payer, pair.dir)
  await payer.page.getByRole('button', { name: 'Pay', exact: true }).click()
  await payer.page.getByRole('button', { name: 'Scan a code' }).click()
  await payer.page.getByTestId('pay-request').waitFor({ timeout: 30_000 })
}

/** Two phones after the payer confirmed and the payment left it (stored first, then sent). */
async function handedOver (): Promise<[CameraPhone, CameraPhone]> {
  const [payer, payee] = await twoPhones()
  await showRequest(payee)
  await scanOnPayer(payer, payee)
  await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
  await expect.poll(() => payer.page.getByTestId('pay-status').getAttribute('data-phase'), { timeout: 30_000 }).toMatch(/handedOver|acked/)
  return [payer, payee]
}

async function reopen (phone: CameraPhone): Promise<Page> {
  const page = await phone.page.context().newPage()
  await page.goto(pair.srv.url + '/')
  await unlock(page)
  phone.page = page
  return page
}

/** After a block: the payee holds the amount once, the payer paid it once plus a small fee. */
async function settled (payer: Page, payee: Page): Promise<void> {
  // Wait until someone (payee or payer's own outbox, by the ack deadline) broadcast it.
  await refresh(payer)
  const txid = await entry(payer, 'out').getAttribute('data-txid')
  await expect.poll(async () => (await fetch(`${pair.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 60_000 }).toBe(200)
  await mine(pair.srv.url)
  await refresh(payee)
  await expect.poll(() => balanceSats(payee), { timeout: 60_000 }).toBe(AMOUNT)
  await refresh(payer)
  await expect.poll(() => entry(payer, 'out').getAttribute('data-status'), { timeout: 60_000 }).toBe('mined')
  const fee = 1_000_000 - AMOUNT - await balanceSats(payer)
  expect(fee).toBeGreaterThan(0)
  expect(fee).toBeLessThan(100)
  expect(await entry(payer, 'out').count()).toBe(1)
  expect(await entry(payee, 'in').count()).toBe(1)
  expect(await entry(payee, 'in').getAttribute('data-txid')).toBe(await entry(payer, 'out').getAttribute('data-txid'))
}

describe('payment faults', () => {
  it('payer reloads before signing: nothing is spent, a new code for the same request finishes it once', async () => {
    const [payer, payee] = await twoPhones()
    await showRequest(payee)
    await scanOnPayer(payer, payee)
    await payer.page.reload()
    await unlock(payer.page)
    await expect.poll(() => balanceSats(payer.page), { timeout: 20_000 }).toBe(1_000_000)
    await payee.page.getByRole('button', { name: 'Show a new code' }).click({ timeout: 40_000 })
    await scanOnPayer(payer, payee)
    await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
    await expect.poll(() => payer.page.getByTestId('pay-status').getAttribute('data-phase'), { timeout: 30_000 }).toMatch(/acked|broadcast/)
    await payer.page.getByRole('button', { name: 'Done' }).click()
    await payee.page.getByRole('button', { name: 'Done' }).click()
    await settled(payer.page, payee.page)
  })

  it('the payee\'s tab closes as the payment is handed over: the payment is broadcast once and the payee finds it', async () => {
    const [payer, payee] = await handedOver()
    await payee.page.close()
    // Whether or not the payee got to ack and broadcast, the payer's own outbox sends the
    // same signed payment by the ack deadline; the payee's sync finds it on its fresh address.
    const payeePage = await reopen(payee)
    await settled(payer.page, payeePage)
  })

  it('the payer closes its tab after handing over, before the ack: the payment still arrives exactly once', async () => {
    const [payer, payee] = await handedOver()
    await payer.page.close()
    const payerPage = await reopen(payer)
    await payee.page.getByRole('button', { name: /Done|Cancel/ }).click()
    await settled(payerPage, payee.page)
  })

  it('the miner is unreachable when the payee broadcasts and the payee closes its tab: reopening broadcasts it', async () => {
    const [payer, payee] = await twoPhones()
    const miner = /\/devnet\/arc\//
    await payee.page.context().route(miner, r => r.abort('internetdisconnected'))
    await showRequest(payee)
    await scanOnPayer(payer, payee)
    await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
    await expect.poll(() => payee.page.getByTestId('receive-status').getAttribute('data-phase'), { timeout: 30_000 }).toBe('queued')
    await expect.poll(() => payer.page.getByTestId('pay-status').getAttribute('data-phase'), { timeout: 30_000 }).toBe('acked')
    await payee.page.close()
    await payee.page.context().unroute(miner)
    const payeePage = await reopen(payee)
    await payer.page.getByRole('button', { name: 'Done' }).click()
    await settled(payer.page, payeePage)
  })
})
