// Issue 13, as a first-time user reads the screen: the balance line tells the truth after
// paying, the fee and total show before the button, amounts are read as people write them,
// garbage gets an answer, and the payment code can be read and copied as text.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { useApp } from './app-fixture.ts'
import { aliceAndBob, balanceSats, createWallet, entry, phone, send } from './wallet-ui.ts'

const app = useApp()

const num = (text: string): number => Number(text.replace(/\D/g, ''))

async function beingSent (page: Page): Promise<number> {
  const el = page.getByTestId('being-sent')
  return await el.count() === 0 ? 0 : num(await el.innerText())
}

describe('the balance line after paying', () => {
  it('shows what single and chained payments send (amount + fee), not the coins they spend, and clears once the network has them', async () => {
    const { alice, bobAddress } = await aliceAndBob(app.browser, app.url + '/')

    // Offline, so nothing reaches the network: each payment stays "being sent".
    await alice.context().setOffline(true)
    await send(alice, bobAddress, 20_000)
    await expect.poll(() => entry(alice, 'out').count(), { timeout: 20_000 }).toBe(1)
    const first = num(await entry(alice, 'out').first().locator('summary > span').last().innerText())
    expect(first).toBeGreaterThan(20_000)
    expect(first).toBeLessThan(20_100)
    await expect.poll(() => beingSent(alice), { timeout: 20_000 }).toBe(first)
    expect(await balanceSats(alice)).toBe(1_000_000 - first)
    expect(await alice.getByRole('region', { name: 'Balance' }).innerText()).toContain(`${first.toLocaleString('en-US')} sats being sent`)

    // Two more, each spending the change of the one before.
    await send(alice, bobAddress, 10_000)
    await send(alice, bobAddress, 5_000)
    await expect.poll(() => entry(alice, 'out').count(), { timeout: 20_000 }).toBe(3)
    let total = 0
    for (const li of await entry(alice, 'out').all()) {
      total += num(await li.locator('summary > span').last().innerText())
      await expect.poll(() => li.innerText()).toContain('Not yet seen by the network')
    }
    expect(total).toBeGreaterThan(35_000)
    expect(total).toBeLessThan(35_300)
    await expect.poll(() => beingSent(alice), { timeout: 20_000 }).toBe(total)
    // What it had, split into what it can spend and what is on its way: never more.
    expect(await balanceSats(alice) + await beingSent(alice)).toBe(1_000_000)

    // Back online: the outbox sends them, the line stops saying "being sent".
    await alice.context().setOffline(false)
    await expect.poll(async () => await alice.locator('li[data-direction="out"][data-status="seen"]').count(), { timeout: 30_000 }).toBe(3)
    await expect.poll(() => beingSent(alice), { timeout: 20_000 }).toBe(0)
    expect(await balanceSats(alice)).toBe(1_000_000 - total)
    expect(await entry(alice, 'out').first().innerText()).toContain('Seen by the network')
  })
})

describe('fee before commitment', () => {
  it('the confirm screen shows fee and total before the button, and a payment the wallet cannot afford gets no button', async () => {
    const { alice, bobAddress } = await aliceAndBob(app.browser, app.url + '/')

    await alice.getByRole('button', { name: 'Pay', exact: true }).click()
    await alice.getByLabel('Address or bitcoin: link').fill(bobAddress)
    await alice.getByLabel('Amount (satoshis)').fill('999999')
    await alice.getByRole('button', { name: 'Review' }).click()
    const alert = alice.getByRole('alert')
    await expect.poll(() => alert.innerText()).toMatch(/^Not enough money: this payment needs 1,000,\d{3} sats with the network fee, and your wallet can spend 1,000,000 sats\. Ask for less, or add \d+ sats?\.$/)
    expect(await alice.getByRole('button', { name: 'Sign and send' }).count()).toBe(0)
    // Nothing was signed or stored.
    await alice.getByRole('button', { name: 'Back' }).click()
    await alice.getByRole('button', { name: 'Wallet' }).click()
    expect(await entry(alice, 'out').count()).toBe(0)
    expect(await balanceSats(alice)).toBe(1_000_000)

    await alice.getByRole('button', { name: 'Pay', exact: true }).click()
    await alice.getByLabel('Address or bitcoin: link').fill(bobAddress)
    await alice.getByLabel('Amount (satoshis)').fill('20000')
    await alice.getByRole('button', { name: 'Review' }).click()
    const quote = alice.getByTestId('send-quote')
    await quote.waitFor()
    const text = await quote.innerText()
    const fee = num(/Network fee\s+([\d,]+) sats?/.exec(text)![1]!)
    expect(fee).toBeGreaterThan(0)
    expect(fee).toBeLessThan(100)
    expect(text).toMatch(new RegExp(`Total\\s+${(20_000 + fee).toLocaleString('en-US')} sats`))
    await alice.getByRole('button', { name: 'Sign and send' }).click()
    // What the screen promised is what left the wallet.
    await expect.poll(() => entry(alice, 'out').count(), { timeout: 20_000 }).toBe(1)
    expect(num(await entry(alice, 'out').first().locator('summary > span').last().innerText())).toBe(20_000 + fee)
  })
})

describe('amounts as people write them', () => {
  it('"1,5" is refused in sats and read as 1.5 in BSV; the other unit shows beside the field; 1 sat is singular', async () => {
    const alice = await phone(app.browser, app.url + '/')
    await createWallet(alice)
    await alice.getByRole('button', { name: 'Receive' }).click()
    await alice.getByLabel('Amount (satoshis)').fill('1,5')
    const hint = alice.getByTestId('req-amount-hint')
    await expect.poll(() => hint.innerText()).toMatch(/whole numbers.*switch the unit to BSV/)
    await alice.getByRole('button', { name: 'Show payment code' }).click()
    await expect.poll(() => alice.getByRole('alert').innerText()).toMatch(/whole numbers/)
    expect(await alice.getByTestId('pair-qr').count()).toBe(0)

    await alice.getByLabel('Amount (satoshis)').fill('20000')
    await expect.poll(() => hint.innerText()).toBe('= 0.0002 BSV')
    await alice.getByRole('combobox', { name: 'Unit' }).selectOption('bsv')
    await alice.getByLabel('Amount (BSV)').fill('1,5')
    await expect.poll(() => hint.innerText()).toBe('= 150,000,000 sats')
    await alice.getByLabel('Amount (BSV)').fill('0.00000001')
    await expect.poll(() => hint.innerText()).toBe('= 1 sat')
    await alice.getByLabel('Amount (BSV)').fill('0,0002')
    await alice.getByRole('button', { name: 'Show payment code' }).click()
    await alice.getByTestId('pair-qr').waitFor()
    expect(await alice.locator('main').innerText()).toContain('20,000 sats (0.0002 BSV)')
  })
})
