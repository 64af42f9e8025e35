// The stage shared by the hostile-peer test files: the real server (built dist/, devnet,
// signalling), the bare link harness page that plays the hostile phone, and, when asked,
// the real app in headless Chromium as the honest payee.
import { afterAll, beforeAll, expect } from 'vitest'
import { resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { launch } from './browser.ts'
import { launchPhone, type Phone } from './link-harness/browser.ts'
import { buildHarness, serveHarness, type HarnessServer } from './link-harness/serve.ts'
import { createWallet, phone } from './wallet-ui.ts'
import { joinAndGetRequest, showCode } from './hostile-helpers.ts'
import { failOnPageErrors } from './page-errors.ts'
import { LOOPBACK_SIGNALLING } from './loopback-signalling.ts'

export interface HostileLab {
  /** The app server's base URL (devnet under /devnet). Valid inside hooks and tests. */
  readonly url: string
  /** The signalling service's WebSocket URL, where the harness hosts or joins invites. */
  readonly signalUrl: string
  /** The hostile phone: the link harness page (`window.h`). */
  readonly h: Page
  /** The real app as the payee, opened once; only with `{ appPayee: true }`. */
  readonly payee: Page
  /**
   * A fresh request for `sats` on the app payee's screen (its wallet is created on first
   * use), joined by the hostile payer: what the payer must pay. Call inside a test.
   */
  freshRequest: (sats: number) => Promise<{ paymentId: string, script: string, satoshis: number }>
}

export function useHostileLab (opts: { appPayee?: boolean } = {}): HostileLab {
  let srv: RunningServer | undefined
  let built: { dir: string, cleanup: () => void } | undefined
  let harnessSrv: HarnessServer | undefined
  let hostile: Phone | undefined
  let payeeBrowser: Browser | undefined
  let payee: Page | undefined
  failOnPageErrors()
  beforeAll(async () => {
    srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: resolve('dist'), devnetFile: ':memory:', signalling: LOOPBACK_SIGNALLING })
    built = await buildHarness()
    harnessSrv = await serveHarness(built.dir)
    if (opts.appPayee === true) {
      payeeBrowser = await launch()
      payee = await phone(payeeBrowser, srv.url + '/')
    }
    hostile = await launchPhone(harnessSrv.url)
  })
  afterAll(async () => {
    await hostile?.browser.close()
    await payeeBrowser?.close()
    await harnessSrv?.close()
    built?.cleanup()
    await srv?.close()
  })
  let walletReady: Promise<unknown> | undefined
  const lab: HostileLab = {
    get url () { return srv!.url },
    get signalUrl () { return srv!.url.replace(/^http/, 'ws') + '/signal' },
    get h () { return hostile!.page },
    get payee () {
      if (payee === undefined) throw new Error('useHostileLab: ask for { appPayee: true } to get the app as payee')
      return payee
    },
    freshRequest: async (sats) => {
      // Created once, inside the first test that needs it: expect.poll (in createWallet)
      // only works inside a test.
      walletReady ??= createWallet(lab.payee)
      await walletReady
      const invite = await showCode(lab.payee, sats)
      const req = await joinAndGetRequest(lab.h, invite, lab.signalUrl)
      expect(req.outputs).toHaveLength(1)
      return { paymentId: req.paymentId, script: req.outputs[0]!.script, satoshis: req.outputs[0]!.satoshis }
    }
  }
  return lab
}
