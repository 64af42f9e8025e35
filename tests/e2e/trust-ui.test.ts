// Issue 13, as a first-time user reads the screen: the balance line tells the truth after
// paying, the fee and total show before the button, amounts are read as people write them,
// garbage gets an answer, and the payment code can be read and copied as text.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { useApp } from './app-fixture.ts'
import { balanceSats, createWallet, entry, fundedWallet, phone, receiveAddress, send } from './wallet-ui.ts'

const app = useApp()

const num = (text: string): number => Number(text.replace(/\D/g, ''))

async function beingSent (page: Page): Promise<number> {
  const el = page.getByTestId('being-sent')
  return await el.count() === 0 ? 0 : num(await el.innerText())
}

describe('the balance line after paying', () => {
  it('shows what single and chained payments send (amount + fee), not the coins they spend, and clears once the network has them', async () => {
    const alice = await phone(app.browser, app.url + '/')
    await fundedWallet(alice).catch(async e => { throw new Error(`${(e as Error).message}\n${await alice.locator('main').innerText()}`) })
    const bob = await phone(app.browser, app.url + '/')
    await createWallet(bob)
    const bobAddress = await receiveAddress(bob)

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
      expect(await li.innerText()).toContain('Not yet seen by the network')
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
