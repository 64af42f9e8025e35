// Issue 12.2: the first screen needs no SDK. On a slow phone the welcome screen must come from
// index.html's entry script alone; the SDK (BIP39 wordlist, transactions, scripts) and the
// screens after unlock start loading only once it is up, and the wallet still works once they
// arrive. Every other script is held back here until the welcome screen is on the page.
import { describe, expect, it } from 'vitest'
import { useApp } from './app-fixture.ts'
import { recordPageErrors } from './page-errors.ts'

const app = useApp()

describe('first screen', () => {
  it('shows the welcome screen from the entry script alone, then loads the SDK on the first key or touch and creates a wallet', async () => {
    const html = await (await fetch(app.url + '/')).text()
    const entry = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1]
    expect(entry).toMatch(/^\/assets\/index-.*\.js$/)
    // The static shell is in the page before any script runs.
    expect(html).toContain('Opening wallet…')

    const ctx = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    let release!: () => void
    const released = new Promise<void>(resolve => { release = resolve })
    const held: string[] = []
    await ctx.route(/\/assets\/.*\.js$/, async route => {
      const path = new URL(route.request().url()).pathname
      if (path !== entry) { held.push(path); await released }
      await route.continue()
    })
    const page = await ctx.newPage()
    recordPageErrors(page, 'phone')
    await page.goto(app.url + '/')
    await page.getByRole('button', { name: 'Create a new wallet' }).waitFor({ timeout: 30_000 })
    // Nothing but the entry script is evaluated while the person reads the welcome screen (the
    // SDK's evaluation is a long task on a slow phone); the first key or touch fetches it: the
    // BIP39 wordlist is among the held scripts.
    await page.keyboard.press('Tab')
    await expect.poll(() => held.length, { timeout: 10_000 }).toBeGreaterThan(0)
    const bodies = await Promise.all(held.map(async p => await (await fetch(app.url + p)).text()))
    expect(bodies.some(b => b.includes('abandon') && b.includes('zoo'))).toBe(true)
    expect(await (await fetch(app.url + entry!)).text()).not.toContain('abandon')

    release()
    await page.getByRole('button', { name: 'Create a new wallet' }).click()
    await expect.poll(async () => (await page.getByTestId('mnemonic').locator('li').allInnerTexts()).length, { timeout: 20_000 }).toBe(12)
    await ctx.close()
  })
})
