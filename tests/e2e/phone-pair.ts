// Fixture for face-to-face payment tests: the real server with signalling, a folder for
// camera pictures, a funded payer plus an empty payee on demand, and the payee's first step.
import { afterAll, beforeAll } from 'vitest'
import type { Page } from 'playwright-core'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { cameraPhone, type CameraPhone } from './phones.ts'
import { createWallet, fundedWallet } from './wallet-ui.ts'
import { failOnPageErrors } from './page-errors.ts'
import { LOOPBACK_SIGNALLING } from './loopback-signalling.ts'

export interface PhonePair {
  readonly srv: RunningServer
  readonly dir: string
  /** A payer holding 1,000,000 devnet sats and a payee with an empty wallet. */
  twoPhones: () => Promise<[CameraPhone, CameraPhone]>
}

export function usePhonePairs (name: string): PhonePair {
  let srv: RunningServer | undefined
  let dir = ''
  const phones: CameraPhone[] = []
  failOnPageErrors()
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `${name}-`))
    srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: resolve('dist'), devnetFile: ':memory:', signalling: LOOPBACK_SIGNALLING })
  })
  afterAll(async () => {
    await Promise.all(phones.map(async p => await p.browser.close()))
    await srv?.close()
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })
  return {
    get srv () { return srv! },
    get dir () { return dir },
    twoPhones: async () => {
      const payer = await cameraPhone(srv!.url + '/', dir, `payer${phones.length}`)
      const payee = await cameraPhone(srv!.url + '/', dir, `payee${phones.length}`)
      phones.push(payer, payee)
      await fundedWallet(payer.page)
      await createWallet(payee.page)
      return [payer, payee]
    }
  }
}

/** The payee asks for `sats` with a one-scan code; returns the code's text, as a payer would paste it. */
export async function showPaymentCode (payee: Page, sats: number): Promise<string> {
  await payee.getByRole('button', { name: 'Receive' }).click()
  await payee.getByLabel('Amount (satoshis)').fill(String(sats))
  await payee.getByRole('button', { name: 'Show payment code' }).click()
  const qr = payee.getByTestId('pair-qr')
  await qr.waitFor()
  return (await qr.getAttribute('data-text'))!
}
