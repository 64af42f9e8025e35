// Issue 2's end-to-end path, through the UI only, in real Chromium against the real
// server and devnet: create → faucet → balance → send to a second wallet → block → both
// ledgers agree; reload keeps everything.
import { describe, expect, it } from 'vitest'
import { useApp } from './app-fixture.ts'
import type { Page } from 'playwright-core'
import { createWallet, PASS, phone, refresh } from './wallet-ui.ts'

const app = useApp()

async function balance (page: Page): Promise<string> {
  return await page.getByTestId('balance').innerText()
}

describe('wallet on the devnet, through the UI', () => {
  it('creates, funds, sends to a second wallet, and both ledgers agree after a block and a reload', async () => {
    const alice = await phone(app.browser, app.url + '/')
    const bob = await phone(app.browser, app.url + '/')
    const words = await createWallet(alice)
    expect(words.split(' ')).toHaveLength(12)
    expect(await balance(alice)).toBe('0 sats')
    await createWallet(bob)

    // Faucet: 1,000,000 sats to Alice.
    await alice.getByRole('button', { name: 'Get test coins' }).click()
    await expect.poll(() => balance(alice), { timeout: 20_000 }).toBe('1,000,000 sats')
    expect(await alice.getByTestId('history').locator('li').first().innerText()).toContain('Received')

    // Bob's receive address.
    await bob.getByRole('button', { name: 'Receive' }).click()
    await expect.poll(() => bob.getByTestId('receive-address').innerText()).not.toBe('')
    const bobAddress = await bob.getByTestId('receive-address').innerText()
    expect(bobAddress).toMatch(/^[mn][1-9A-HJ-NP-Za-km-z]{25,34}$/)
    await bob.getByRole('img', { name: /QR code for address/ }).waitFor()

    // Alice sends 250,000 sats.
    await alice.getByRole('button', { name: 'Pay', exact: true }).click()
    await alice.getByLabel('Address or bitcoin: link').fill(bobAddress)
    await alice.getByLabel('Amount (satoshis)').fill('250000')
    await alice.getByRole('button', { name: 'Review' }).click()
    await alice.getByRole('button', { name: 'Sign and send' }).click()
    const sent = alice.getByTestId('history').locator('li[data-direction="out"]')
    await expect.poll(() => sent.getAttribute('data-status'), { timeout: 20_000 }).toBe('seen')
    const txid = (await sent.getAttribute('data-txid'))!
    const aliceAfter = Number((await balance(alice)).replace(/\D/g, ''))
    expect(aliceAfter).toBeLessThan(750_000)
    expect(aliceAfter).toBeGreaterThan(749_000)

    // A block is mined; both sides learn it.
    await fetch(app.url + '/devnet/mine', { method: 'POST' })
    await refresh(bob)
    await expect.poll(() => balance(bob), { timeout: 20_000 }).toBe('250,000 sats')
    await refresh(alice)
    await expect.poll(() => sent.getAttribute('data-status'), { timeout: 20_000 }).toBe('mined')
    const bobIn = bob.getByTestId('history').locator(`li[data-txid="${txid}"]`)
    await expect.poll(() => bobIn.getAttribute('data-status'), { timeout: 20_000 }).toBe('mined')

    // Reload: locked, then unlock shows everything as it was. A wrong passphrase changes nothing.
    await alice.reload()
    await alice.getByLabel('Passphrase').fill('not the passphrase')
    await alice.getByRole('button', { name: 'Unlock' }).click()
    await expect.poll(() => alice.getByRole('alert').innerText()).toContain('not right')
    await alice.getByLabel('Passphrase').fill(PASS)
    await alice.getByRole('button', { name: 'Unlock' }).click()
    await expect.poll(() => balance(alice), { timeout: 20_000 }).toBe(`${aliceAfter.toLocaleString('en-US')} sats`)
    expect(await alice.getByTestId('history').locator(`li[data-txid="${txid}"]`).getAttribute('data-status')).toBe('mined')
  })
})
