// Issue 13: opened where WebCrypto is missing (plain http from another device), the app
// explains what happened and what to do on a full screen instead of crashing at wallet creation.
import { describe, expect, it } from 'vitest'
import { useApp } from './app-fixture.ts'
import { phone } from './wallet-ui.ts'
import { axeViolations, BLOCKING, formatFindings } from './a11y-helpers.ts'

const app = useApp()

describe('a page without WebCrypto', () => {
  it('shows why no wallet can be made here and how to open it safely, and throws nothing', async () => {
    const page = await phone(app.browser, app.url + '/', async ctx => {
      // What an http page on a LAN address sees: no crypto.subtle.
      await ctx.addInitScript(() => { Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined, configurable: true }) })
    })
    const heading = page.getByRole('heading', { level: 1 })
    await expect.poll(() => heading.innerText(), { timeout: 20_000 }).toBe('Handover can’t open safely here')
    const alert = await page.getByRole('alert').innerText()
    expect(alert).toContain('Nothing was created and nothing was lost.')
    const text = await page.locator('main').innerText()
    expect(text).toContain('What to do')
    expect(text).toContain('https://127.0.0.1:')
    expect(text).toMatch(/http:\/\/localhost:\d+\//)
    // No way into a wallet that could not be protected.
    expect(await page.getByRole('button').count()).toBe(0)
    expect(text).not.toMatch(/importKey|undefined/)
    const blocking = (await axeViolations(page, 'insecure context')).filter(f => BLOCKING.includes(f.impact ?? 'minor'))
    expect(blocking, formatFindings(blocking)).toEqual([])
    // Uncaught errors are checked by the fixture after the test.
  })
})
