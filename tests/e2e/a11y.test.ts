// Issue 5's accessibility and small-screen bars: axe-core (WCAG 2.0/2.1 A and AA) finds no
// serious or critical violation on any screen, in light and dark mode, and nothing is wider
// than a 360 px phone. Real Chromium against the real server and devnet.
import { describe, expect, it } from 'vitest'
import { useApp } from './app-fixture.ts'
import type { Page } from 'playwright-core'
import { fundedWallet, phone, unlock } from './wallet-ui.ts'
import { axeViolations, BLOCKING, formatFindings, horizontalOverflow, type Finding } from './a11y-helpers.ts'

const WIDTH = 360
const HEIGHT = 740

const app = useApp()

describe('accessibility at 360 px, light and dark', () => {
  it('every screen has no serious or critical axe violation and no horizontal overflow', async () => {
    const page = await phone(app.browser, app.url + '/')
    await page.setViewportSize({ width: WIDTH, height: HEIGHT })
    const blocking: Finding[] = []
    const minor: Finding[] = []
    const overflow: string[] = []

    async function check (screen: string, p: Page = page): Promise<void> {
      for (const colorScheme of ['light', 'dark'] as const) {
        await p.emulateMedia({ colorScheme })
        const label = `${screen}, ${colorScheme}`
        for (const f of await axeViolations(p, label)) (BLOCKING.includes(f.impact ?? 'minor') ? blocking : minor).push(f)
        const o = await horizontalOverflow(p, WIDTH)
        if (o.scrollWidth > WIDTH) overflow.push(`[${label}] scrollWidth ${o.scrollWidth} > ${WIDTH}: ${o.culprits.join(', ')}`)
      }
      await p.emulateMedia({ colorScheme: 'light' })
    }

    await page.getByRole('button', { name: 'Create a new wallet' }).waitFor()
    await check('onboarding start')

    await page.getByRole('button', { name: 'Create a new wallet' }).click()
    await page.getByTestId('mnemonic').waitFor()
    await check('create-wallet form')
    await page.getByRole('button', { name: 'Back', exact: true }).click()

    await page.getByRole('button', { name: 'Restore from words' }).click()
    await page.getByLabel('Recovery words (12 or 24)').waitFor()
    await check('restore form')
    await page.getByRole('button', { name: 'Back', exact: true }).click()

    await page.getByRole('button', { name: 'Restore from a backup file' }).click()
    await page.getByLabel('Backup file').waitFor()
    await check('restore-from-file form')
    await page.getByRole('button', { name: 'Back', exact: true }).click()

    await fundedWallet(page)
    await page.getByTestId('history').locator('li').first().waitFor()
    await check('wallet tab with a balance')

    await page.getByRole('button', { name: 'Receive' }).click()
    await page.getByRole('img', { name: /QR code for address/ }).waitFor()
    await check('receive tab')

    await page.getByLabel('Amount (satoshis)').fill('1234')
    await page.getByLabel('What for (optional)').fill('tea')
    await page.getByRole('button', { name: 'Show payment code' }).click()
    await page.getByTestId('pair-qr').waitFor()
    await check('receive: payment code shown')
    await page.getByRole('button', { name: 'Cancel' }).click()

    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    await page.getByLabel('Address or bitcoin: link').waitFor()
    await check('pay tab')

    await page.getByRole('button', { name: 'Scan a code' }).click()
    await page.getByLabel('Or paste the code').waitFor()
    await check('pay: scanner')
    await page.getByRole('button', { name: 'Close camera' }).click()

    await page.getByRole('button', { name: 'Settings' }).click()
    await page.getByRole('heading', { name: 'Network and services' }).waitFor()
    await check('settings tab')

    await page.reload()
    await page.getByRole('button', { name: 'Unlock' }).waitFor()
    await check('unlock screen')
    await unlock(page)

    if (minor.length > 0) console.warn(`axe: ${minor.length} minor/moderate finding(s), not blocking:\n${formatFindings(minor)}`)
    if (blocking.length > 0) console.error(`axe: serious or critical violations:\n${formatFindings(blocking)}`)
    if (overflow.length > 0) console.error(`horizontal overflow at ${WIDTH} px:\n${overflow.join('\n')}`)
    expect(formatFindings(blocking), 'serious or critical axe violations').toBe('')
    expect(overflow, `horizontal overflow at ${WIDTH} px`).toEqual([])
    await page.context().close()
  })
})
