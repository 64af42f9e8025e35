// Issue 13, the small things a first-time user trips over: the Backup section counts the
// wallet's own words, "Saved." never stands next to a refused setting, a memo is set off
// by " · " with spaces on both sides.
import { describe, expect, it } from 'vitest'
import { useApp } from './app-fixture.ts'
import { createWallet, phone, restoreWallet } from './wallet-ui.ts'

const app = useApp({ signalling: true })

// The published BIP39 test vector of 24 words (entropy all zeros).
const TWENTY_FOUR = `${'abandon '.repeat(23)}art`

describe('small words on screen', () => {
  it('the Backup section of a 24-word wallet says 24 words', async () => {
    const page = await phone(app.browser, app.url + '/')
    await restoreWallet(page, TWENTY_FOUR)
    await page.getByTestId('balance').waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: 'Settings' }).click()
    const backup = page.locator('section', { has: page.getByRole('heading', { name: 'Backup' }) })
    expect(await backup.innerText()).toContain('Your 24 recovery words restore this wallet anywhere.')
  })

  it('a refused lock time is named, and the earlier "Saved." is gone', async () => {
    const page = await phone(app.browser, app.url + '/')
    await createWallet(page)
    await page.getByRole('button', { name: 'Settings' }).click()
    expect(await page.locator('section').filter({ has: page.getByRole('heading', { name: 'Backup' }) }).innerText()).toContain('Your 12 recovery words')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.getByText('Saved.').count()).toBe(1)
    await page.getByLabel('Lock after (minutes idle)').fill('0')
    expect(await page.getByText('Saved.').count()).toBe(0)
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('Auto-lock must be between 1 minute and 24 hours.')
    expect(await page.getByText('Saved.').count()).toBe(0)
    // Put right, it saves again.
    await page.getByLabel('Lock after (minutes idle)').fill('10')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.getByText('Saved.').count()).toBe(1)
    expect(await page.getByRole('alert').count()).toBe(0)
  })

  it('the payment request reads "40,000 sats (… BSV) · bread", a space each side of the dot', async () => {
    const page = await phone(app.browser, app.url + '/')
    await createWallet(page)
    await page.getByRole('button', { name: 'Receive' }).click()
    await page.getByLabel('Amount (satoshis)').fill('40000')
    await page.getByLabel('What for (optional)').fill('bread')
    await page.getByRole('button', { name: 'Show payment code' }).click()
    await page.getByTestId('pair-qr').waitFor({ timeout: 30_000 })
    expect(await page.locator('main').innerText()).toContain('40,000 sats (0.0004 BSV) · bread')
  })

  it('on a 320 px phone the amount, its unit and "Max" share one line', async () => {
    const page = await phone(app.browser, app.url + '/')
    await createWallet(page)
    await page.setViewportSize({ width: 320, height: 640 })
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    const amount = (await page.getByLabel('Amount (satoshis)').boundingBox())!
    const unit = (await page.getByRole('combobox', { name: 'Unit' }).boundingBox())!
    const max = (await page.getByRole('button', { name: 'Max' }).boundingBox())!
    for (const box of [unit, max]) {
      expect(box.y).toBeLessThan(amount.y + amount.height)
      expect(box.y + box.height).toBeGreaterThan(amount.y)
    }
    expect(max.x + max.width).toBeLessThanOrEqual(320)
    expect(amount.width).toBeGreaterThan(80)
  })
})
