// The payment code is more than an image (issue 13): its text is in the accessibility tree,
// it can be copied, and a payer who pastes it pays face to face as if it had been scanned.
import { describe, expect, it } from 'vitest'
import { showPaymentCode, usePhonePairs } from './phone-pair.ts'

const pair = usePhonePairs('code-text')

describe('the payment code as text', () => {
  it('is readable by a screen reader, copyable, and pasting it on the payer\'s Pay screen pays', async () => {
    const [payer, payee] = await pair.twoPhones()
    const p = payee.page
    const code = await showPaymentCode(p, 12_000)
    expect(code.length).toBeGreaterThan(10)

    await p.getByText('Show the payment code as text').click()
    // What a screen reader gets: the code's text, under the disclosure.
    const tree = await p.locator('details.code-text').ariaSnapshot()
    expect(tree.replace(/\s+/g, '')).toContain(code.replace(/\s+/g, '').slice(0, 40))
    await p.context().grantPermissions(['clipboard-read', 'clipboard-write'])
    await p.getByRole('button', { name: 'Copy payment code' }).click()
    await expect.poll(() => p.getByRole('button', { name: 'Copied' }).count()).toBe(1)
    expect(await p.evaluate(async () => await navigator.clipboard.readText())).toBe(code)

    await payer.page.getByRole('button', { name: 'Pay', exact: true }).click()
    await payer.page.getByLabel('Address or bitcoin: link').fill(code)
    await payer.page.getByRole('button', { name: 'Review' }).click()
    const req = payer.page.getByTestId('pay-request')
    await req.waitFor({ timeout: 30_000 })
    expect(await req.innerText()).toContain('12,000 sats')
    await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
    await expect.poll(() => p.getByTestId('receive-status').getAttribute('data-phase'), { timeout: 30_000 }).toMatch(/acked|broadcast|seen/)
  })
})
