// Issue 13 in real Chromium: a face-to-face payment done with the keyboard alone on both
// phones (Tab to move, Enter or Space to press; focus always visible; each new step's
// heading takes the focus), and the browser's "Leave site?" question while a payment is
// unfinished, and only then.
import { describe, expect, it } from 'vitest'
import type { Dialog, Page } from 'playwright-core'
import { pointCamera } from './phones.ts'
import { kill } from './killable-phone.ts'
import { unlock } from './wallet-ui.ts'
import { useKillableLab } from './killable-fixture.ts'

const lab = useKillableLab('keyboard-leave-')
const url = lab.url
const twoPhones = lab.twoPhones

interface Focused { name: string, tag: string, visible: boolean, outline: string }

/** What has the focus: its accessible name as a person would read it, and whether the ring shows. */
async function focused (page: Page): Promise<Focused> {
  return await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (el === null || el === document.body) return { name: '', tag: 'body', visible: false, outline: '' }
    const input = el as HTMLInputElement
    const label = input.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? ''
    const name = (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' ? label : el.textContent ?? '').trim()
    const css = getComputedStyle(el)
    return { name, tag: el.tagName.toLowerCase(), visible: el.matches(':focus-visible'), outline: `${css.outlineStyle} ${css.outlineWidth}` }
  })
}

/** Presses Tab until the element named `name` has the focus; every stop on the way shows its focus ring. */
async function tabTo (page: Page, name: string | RegExp): Promise<void> {
  const seen: string[] = []
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab')
    const f = await focused(page)
    seen.push(f.name)
    if (f.tag !== 'body') {
      expect(f.visible, `focus ring on "${f.name}"`).toBe(true)
      expect(f.outline, `focus ring on "${f.name}"`).not.toMatch(/^none|\b0px/)
    }
    if (typeof name === 'string' ? f.name === name : name.test(f.name)) return
  }
  throw new Error(`Tab never reached "${String(name)}"; it went through: ${seen.join(' | ')}`)
}

/** The step heading has the focus and says `text`. */
async function focusOnHeading (page: Page, text: string | RegExp): Promise<void> {
  await expect.poll(async () => {
    const f = await focused(page)
    return f.tag === 'h3' ? f.name : `(${f.tag}: ${f.name})`
  }, { timeout: 30_000 }).toMatch(typeof text === 'string' ? new RegExp(`^${text}$`) : text)
}

describe('keyboard only, both phones', () => {
  it('the payee asks, the payer scans and pays, each with Tab, Enter and Space; every new step takes the focus to its heading', async () => {
    const [payer, payee] = await twoPhones()
    const AMOUNT = 12_000

    // Payee: Receive, amount, memo, show the code.
    await payee.page.locator('body').focus()
    await tabTo(payee.page, 'Receive')
    await payee.page.keyboard.press('Enter')
    await tabTo(payee.page, 'Amount (satoshis)')
    await payee.page.keyboard.type(String(AMOUNT))
    await tabTo(payee.page, 'What for (optional)')
    await payee.page.keyboard.type('Keys')
    await tabTo(payee.page, 'Show payment code')
    await payee.page.keyboard.press('Space')
    await focusOnHeading(payee.page, 'Show this code to the payer')
    await payee.page.getByTestId('pair-qr').waitFor()

    // Payer: Pay, scan (the camera films the payee's screen), then confirm.
    await pointCamera(payee.page, payer, lab.dir)
    await payer.page.locator('body').focus()
    await tabTo(payer.page, 'Pay')
    await payer.page.keyboard.press('Enter')
    await tabTo(payer.page, 'Scan a code')
    await payer.page.keyboard.press('Space')
    await focusOnHeading(payer.page, 'Check and confirm')
    await focusOnHeading(payee.page, 'Payer connected')
    await payer.page.getByTestId('pay-quote').waitFor()
    await tabTo(payer.page, 'Confirm and pay')
    await payer.page.keyboard.press('Enter')
    await focusOnHeading(payer.page, 'Paid')
    await focusOnHeading(payee.page, 'Payment received')

    // Both leave the finished payment the same way.
    await tabTo(payer.page, /^(Done|Close)$/)
    await payer.page.keyboard.press('Enter')
    await tabTo(payee.page, 'Done')
    await payee.page.keyboard.press('Enter')
    await tabTo(payee.page, 'Wallet')
    await payee.page.keyboard.press('Enter')
    await expect.poll(async () => await payee.page.getByTestId('history').innerText().catch(() => ''), { timeout: 30_000 }).toContain('Keys')
  })
})

describe('leaving the page', () => {
  /** Reloads and reports whether the browser asked first; `stay` answers "Stay on page". */
  async function reloadAsked (page: Page, stay: boolean): Promise<string | undefined> {
    let asked: string | undefined
    const onDialog = (d: Dialog): void => { asked = d.type(); void (stay ? d.dismiss() : d.accept()) }
    page.on('dialog', onDialog)
    await page.reload({ timeout: 5_000 }).catch(() => undefined)
    page.off('dialog', onDialog)
    return asked
  }

  it('asks before leaving while a payment waits for its answer or its broadcast, not at rest nor once it is sent', async () => {
    const [payer, payee] = await twoPhones()
    const page = payer.page
    // At rest (the person has used the page, so the browser would ask if told to): no question.
    await page.getByRole('button', { name: 'Refresh' }).click()
    expect(await reloadAsked(page, true)).toBeUndefined()
    await unlock(page)

    await payee.page.getByRole('button', { name: 'Receive' }).click()
    await payee.page.getByLabel('Amount (satoshis)').fill('9000')
    await payee.page.getByRole('button', { name: 'Show payment code' }).click()
    await pointCamera(payee.page, payer, lab.dir)
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    await page.getByRole('button', { name: 'Scan a code' }).click()
    await page.getByTestId('pay-request').waitFor({ timeout: 30_000 })
    // The payee's phone dies: the payment goes over and no answer comes.
    await kill(payee)
    await page.getByRole('button', { name: 'Confirm and pay' }).click()
    const phase = async (): Promise<string | null> => await page.getByTestId('pay-status').getAttribute('data-phase', { timeout: 2_000 }).catch(() => null)
    await expect.poll(phase, { timeout: 30_000 }).toBe('handedOver')

    // Waiting for the payee's answer: the browser asks, and "Stay" keeps the payment on screen.
    expect(await reloadAsked(page, true)).toBe('beforeunload')
    expect(await phase()).toBe('handedOver')
    expect(await page.getByRole('heading', { name: 'Paying' }).count()).toBe(1)

    // Sent to the network by the payer itself: nothing left that needs this page.
    await page.getByRole('button', { name: 'Send to the network now' }).click()
    await expect.poll(phase, { timeout: 30_000 }).toMatch(/broadcast|mined/)
    expect(await reloadAsked(page, true)).toBeUndefined()
    // It reloaded: the wallet asks for its passphrase again.
    await page.getByLabel('Passphrase').waitFor({ timeout: 10_000 })
  })
})
