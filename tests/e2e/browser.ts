// Shared launcher for browser tests: real Debian Chromium through playwright-core.
import { chromium, type Browser, type LaunchOptions } from 'playwright-core'
import { existsSync } from 'node:fs'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(p => existsSync(p)) ?? '/usr/bin/chromium'

/** Flags that keep Chromium off the (absent) internet and quiet, as on CI. */
export const BASE_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage'
]

export async function launch (extraArgs: string[] = [], opts: LaunchOptions = {}): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_FLAGS, ...extraArgs], ...opts })
}
