// The server (devnet, signalling, app) goes down in the middle of a payment and comes
// back: the phones finish the hand-over between themselves, the payee queues the
// broadcast, and once the server is back the money arrives, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { cameraPhone, pointCamera, type CameraPhone } from './phones.ts'
import { balanceSats, createWallet, entry, fundedWallet, refresh } from './wallet-ui.ts'
import { failOnPageErrors } from './page-errors.ts'
import { LOOPBACK_SIGNALLING } from './loopback-signalling.ts'

let dir: string
failOnPageErrors()
let srv: RunningServer | undefined
const phones: CameraPhone[] = []

async function start (port: number): Promise<RunningServer> {
  return await startAppServer({ host: '127.0.0.1', port, staticDir: resolve('dist'), devnetFile: join(dir, 'devnet.sqlite'), signalling: LOOPBACK_SIGNALLING })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pay-restart-'))
  srv = await start(0)
})
afterAll(async () => {
  await Promise.all(phones.map(async p => await p.browser.close()))
  await srv?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('server restart during a payment', () => {
  it('the hand-over completes without the server; the broadcast waits for it and lands once', async () => {
    const url = srv!.url
    const port = Number(new URL(url).port)
    const payer = await cameraPhone(url + '/', dir, 'payer')
    const payee = await cameraPhone(url + '/', dir, 'payee')
    phones.push(payer, payee)
    await fundedWallet(payer.page)
    await createWallet(payee.page)

    await payee.page.getByRole('button', { name: 'Receive' }).click()
    await payee.page.getByLabel('Amount (satoshis)').fill('12345')
    await payee.page.getByRole('button', { name: 'Show payment code' }).click()
    await pointCamera(payee.page, payer, dir)
    await payer.page.getByRole('button', { name: 'Pay', exact: true }).click()
    await payer.page.getByRole('button', { name: 'Scan a code' }).click()
    await payer.page.getByTestId('pay-request').waitFor({ timeout: 30_000 })

    // The server dies: no devnet, no miner, no signalling. The phones are linked directly.
    await srv!.close()
    srv = undefined
    await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
    await expect.poll(() => payee.page.getByTestId('receive-status').getAttribute('data-phase'), { timeout: 30_000 }).toBe('queued')
    await expect.poll(() => payer.page.getByTestId('pay-status').getAttribute('data-phase'), { timeout: 30_000 }).toBe('acked')

    // It comes back on the same address with the same chain; nobody touches the phones.
    srv = await start(port)
    await payee.page.getByRole('button', { name: 'Done' }).click()
    await payee.page.getByRole('button', { name: 'Wallet' }).click()
    const txid = (await entry(payee.page, 'in').getAttribute('data-txid'))!
    await expect.poll(async () => (await fetch(`${url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 60_000 }).toBe(200)
    await fetch(`${url}/devnet/mine`, { method: 'POST' })
    await refresh(payee.page)
    await expect.poll(() => balanceSats(payee.page), { timeout: 30_000 }).toBe(12_345)
    await expect.poll(() => entry(payee.page, 'in').getAttribute('data-status'), { timeout: 30_000 }).toBe('mined')
    await payer.page.getByRole('button', { name: 'Done' }).click()
    await refresh(payer.page)
    await expect.poll(() => entry(payer.page, 'out').getAttribute('data-status'), { timeout: 60_000 }).toBe('mined')
    const fee = 1_000_000 - 12_345 - await balanceSats(payer.page)
    expect(fee).toBeGreaterThan(0)
    expect(fee).toBeLessThan(100)
    expect(await entry(payer.page, 'out').count()).toBe(1)
    expect(await entry(payer.page, 'out').getAttribute('data-txid')).toBe(txid)
  })
})
