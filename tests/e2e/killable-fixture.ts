// A devnet + signalling server and a folder of persistent browser profiles, shared by the
// test files whose phones are killed (whole browser) and started again.
import { afterAll, beforeAll } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { failOnPageErrors } from './page-errors.ts'
import { killablePhone, type KillablePhone } from './killable-phone.ts'
import { createWallet, fundedWallet } from './wallet-ui.ts'
import { LOOPBACK_SIGNALLING } from './loopback-signalling.ts'

export interface KillableLab {
  /** The running server (valid inside tests). */
  readonly srv: RunningServer
  /** Where the phones' profiles and camera files live. */
  readonly dir: string
  /** The app's URL. */
  url: () => string
  /** A funded payer and an empty payee, each in its own killable browser. */
  twoPhones: () => Promise<[KillablePhone, KillablePhone]>
}

export function useKillableLab (prefix: string): KillableLab {
  let srv: RunningServer | undefined
  let dir = ''
  const phones: KillablePhone[] = []
  failOnPageErrors()
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix))
    srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: resolve('dist'), devnetFile: ':memory:', signalling: LOOPBACK_SIGNALLING })
  })
  afterAll(async () => {
    await Promise.all(phones.map(async p => await p.ctx.close().catch(() => undefined)))
    await srv?.close()
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })
  const lab: KillableLab = {
    get srv () { return srv! },
    get dir () { return dir },
    url: () => srv!.url + '/',
    twoPhones: async () => {
      const n = phones.length
      const payer = await killablePhone(lab.url(), dir, `payer${n}`)
      const payee = await killablePhone(lab.url(), dir, `payee${n}`)
      phones.push(payer, payee)
      await fundedWallet(payer.page)
      await createWallet(payee.page)
      return [payer, payee]
    }
  }
  return lab
}
