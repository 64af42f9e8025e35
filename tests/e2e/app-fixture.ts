// One real server (built app, in-memory devnet, optionally signalling) and one Chromium
// per test file, started before and stopped after its tests.
import { afterAll, beforeAll } from 'vitest'
import { resolve } from 'node:path'
import type { Browser } from 'playwright-core'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { launch } from './browser.ts'
import { failOnPageErrors } from './page-errors.ts'
import { LOOPBACK_SIGNALLING } from './loopback-signalling.ts'

export interface AppFixture {
  readonly srv: RunningServer
  readonly browser: Browser
  readonly url: string
}

/** `devnetFirstBlockTime`: the chain starts then (Unix seconds), so blocks can be dated in the past. */
export function useApp (opts: { signalling?: boolean, browser?: boolean, devnetFirstBlockTime?: number } = {}): AppFixture {
  let srv: RunningServer | undefined
  let browser: Browser | undefined
  failOnPageErrors()
  beforeAll(async () => {
    srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: resolve('dist'), devnetFile: ':memory:',
      ...(opts.signalling === true ? { signalling: LOOPBACK_SIGNALLING } : {}),
      ...(opts.devnetFirstBlockTime !== undefined ? { devnetFirstBlockTime: opts.devnetFirstBlockTime } : {})
    })
    if (opts.browser !== false) browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
    await srv?.close()
  })
  return {
    get srv () { return srv! },
    get browser () { return browser! },
    get url () { return srv!.url }
  }
}
