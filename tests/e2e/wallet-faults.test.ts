// What must not go wrong with money: offline sends survive a closed tab, a double spend
// from a second device is caught and explained, restore finds coins on other wallets'
// paths, and an idle wallet locks itself.
import { describe, expect, it } from 'vitest'
import { useApp } from './app-fixture.ts'
import { HD, Mnemonic } from '@bsv/sdk'
import { readFileSync } from 'node:fs'
import { aliceAndBob, balanceSats, createWallet, entry, faucetTo, fundedWallet, mine, PASS, phone, receiveAddress, refresh, restoreWallet, send, unlock } from './wallet-ui.ts'

const app = useApp()

describe('wallet faults', () => {
  it('a payment signed offline survives closing the tab and is broadcast after reopening online', async () => {
    const { alice, bob, bobAddress } = await aliceAndBob(app.browser, app.url + '/')

    await alice.context().setOffline(true)
    await send(alice, bobAddress, 300_000)
    const out = entry(alice, 'out')
    await expect.poll(() => out.getAttribute('data-status'), { timeout: 20_000 }).toBe('handed-over')
    expect(await out.innerText()).toContain('Not yet seen by the network')
    // The coins are already committed: the balance counts only the change (700,000 less the fee).
    await expect.poll(() => balanceSats(alice), { timeout: 20_000 }).toBeGreaterThan(699_900)
    expect(await balanceSats(alice)).toBeLessThan(700_000)
    const txid = (await out.getAttribute('data-txid'))!
    expect((await fetch(`${app.url}/devnet/arc/v1/tx/${txid}`)).status).toBe(404)

    // Close the tab while offline; open the wallet again once the network is back.
    const ctx = alice.context()
    await alice.close()
    await ctx.setOffline(false)
    const again = await ctx.newPage()
    await again.goto(app.url + '/')
    await unlock(again)
    await expect.poll(async () => (await fetch(`${app.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 20_000 }).toBe(200)
    await expect.poll(() => entry(again, 'out').getAttribute('data-status'), { timeout: 20_000 }).toBe('seen')

    await refresh(bob)
    await expect.poll(() => balanceSats(bob), { timeout: 20_000 }).toBe(300_000)
  })

  it('when a second device spends the same coins first, the miner\'s 466 is explained and the coins are not counted twice', async () => {
    const one = await phone(app.browser, app.url + '/')
    const words = await fundedWallet(one)
    const two = await phone(app.browser, app.url + '/')
    await restoreWallet(two, words)
    await expect.poll(() => balanceSats(two), { timeout: 30_000 }).toBe(1_000_000)
    const bob = await phone(app.browser, app.url + '/')
    await createWallet(bob)
    const bobAddress = await receiveAddress(bob)

    await two.context().setOffline(true)
    await send(two, bobAddress, 100_000)
    await expect.poll(() => entry(two, 'out').getAttribute('data-status'), { timeout: 20_000 }).toBe('handed-over')
    await send(one, bobAddress, 200_000)
    await expect.poll(() => entry(one, 'out').getAttribute('data-status'), { timeout: 20_000 }).toBe('seen')

    await two.context().setOffline(false)
    // ARC answers 200 DOUBLE_SPEND_ATTEMPTED: not final (either may still be mined), so the
    // coins stay reserved and the person is told why, in words.
    await expect.poll(() => entry(two, 'out').innerText(), { timeout: 30_000 }).toMatch(/Another transaction tries to spend the same coins/)
    expect(await entry(two, 'out').getAttribute('data-status')).not.toBe('failed')
    // A block settles it: the first one wins, and ARC now calls ours REJECTED.
    await mine(app.url)
    await refresh(two)
    await expect.poll(() => entry(two, 'out').getAttribute('data-status'), { timeout: 30_000 }).toBe('failed')
    expect(await entry(two, 'out').innerText()).toMatch(/already spent by another transaction/)
    // After a sync, device two sees what device one left: the change of the 200,000 payment.
    await expect.poll(() => balanceSats(one), { timeout: 20_000 }).toBeGreaterThan(799_900)
    const oneBalance = await balanceSats(one)
    expect(oneBalance).toBeLessThan(800_000)
    await refresh(two)
    await expect.poll(() => balanceSats(two), { timeout: 20_000 }).toBe(oneBalance)
    await refresh(bob)
    await expect.poll(() => balanceSats(bob), { timeout: 20_000 }).toBe(200_000)
  })

  it('restore finds coins on another wallet\'s derivation path past a gap, and on our own path', async () => {
    const words = Mnemonic.fromEntropy(Array.from({ length: 16 }, (_, i) => i * 7 + 3)).toString()
    const root = HD.fromSeed(Mnemonic.fromString(words).toSeed())
    const foreign = root.derive("m/44'/0'/0'/0/7").privKey.toAddress([0x6f])
    const ours = root.derive("m/44'/236'/0'/1/2").privKey.toAddress([0x6f])
    await faucetTo(app.url, foreign, 40_000)
    await faucetTo(app.url, ours, 2_000)
    await mine(app.url)
    const page = await phone(app.browser, app.url + '/')
    await restoreWallet(page, words)
    await expect.poll(() => balanceSats(page), { timeout: 60_000 }).toBe(42_000)
    expect(await entry(page, 'in').count()).toBe(2)
  })

  it('rejects a wrong recovery phrase with a reason and creates nothing', async () => {
    const page = await phone(app.browser, app.url + '/')
    await restoreWallet(page, 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon')
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/a word is wrong or out of order/)
    expect(await page.getByRole('alert').innerText()).not.toMatch(/checksum/)
    await page.reload()
    await page.getByRole('button', { name: 'Restore from words' }).waitFor()
  })

  it('locks itself after the idle time', async () => {
    const page = await phone(app.browser, app.url + '/', async ctx => { await ctx.clock.install() })
    await createWallet(page)
    await page.clock.fastForward('04:00')
    expect(await page.getByTestId('balance').isVisible()).toBe(true)
    await page.clock.fastForward('02:00')
    await page.getByRole('button', { name: 'Unlock' }).waitFor({ timeout: 10_000 })
    await unlock(page)
  })
})

describe('restored history dates', () => {
  const DAY = 86_400
  const now = Math.floor(Date.now() / 1000)
  // The devnet's chain starts 40 days ago, so blocks can be dated last month.
  const dated = useApp({ devnetFirstBlockTime: now - 40 * DAY })

  it('a restored wallet dates each payment by the block that mined it, not by the day of the restore', async () => {
    const words = Mnemonic.fromEntropy(Array.from({ length: 16 }, (_, i) => i * 11 + 5)).toString()
    const root = HD.fromSeed(Mnemonic.fromString(words).toSeed())
    const receive = (i: number): string => root.derive(`m/44'/236'/0'/0/${i}`).privKey.toAddress([0x6f])
    const monthAgo = now - 30 * DAY
    const tenDaysAgo = now - 10 * DAY
    const older = await faucetTo(dated.url, receive(0), 3_000)
    await mine(dated.url, 1, monthAgo)
    const newer = await faucetTo(dated.url, receive(1), 4_000)
    await mine(dated.url, 1, tenDaysAgo)

    const page = await phone(dated.browser, dated.url + '/')
    await restoreWallet(page, words)
    await expect.poll(() => balanceSats(page), { timeout: 60_000 }).toBe(7_000)
    // Dates as this browser writes them (its locale and time zone).
    const dateOf = async (sec: number): Promise<string> => await page.evaluate(ms => new Date(ms).toLocaleDateString(), sec * 1000)
    const today = await dateOf(Math.floor(Date.now() / 1000))
    for (const [txid, sec] of [[older, monthAgo], [newer, tenDaysAgo]] as const) {
      const row = await page.getByTestId('history').locator(`li[data-txid="${txid}"]`).innerText()
      expect(row).toContain(await dateOf(sec))
      expect(row).not.toContain(today)
    }
  })
})

describe('backup file', () => {
  it('downloads an encrypted backup and restores it on another phone with the same coins', async () => {
    const a = await phone(app.browser, app.url + '/')
    await fundedWallet(a)
    await a.getByRole('button', { name: 'Settings' }).click()
    // The recovery words need the passphrase even on an unlocked phone.
    await a.getByRole('button', { name: 'Show recovery words' }).click()
    await a.getByLabel('Your passphrase, to show the recovery words').fill('wrong passphrase')
    await a.getByRole('button', { name: 'Show words' }).click()
    await expect.poll(() => a.getByRole('alert').innerText()).toContain('not right')
    expect(await a.getByTestId('recovery-words').count()).toBe(0)
    await a.getByLabel('Your passphrase, to show the recovery words').fill(PASS)
    await a.getByRole('button', { name: 'Show words' }).click()
    await expect.poll(() => a.getByTestId('recovery-words').locator('li').count()).toBe(12)
    await a.getByRole('button', { name: 'Hide words' }).click()
    // A TURN credential in the settings travels in the backup, sealed.
    await a.getByLabel('STUN/TURN servers (one per line: url [username credential])').fill('turn:turn.example:3478 turnuser TURN-PASSWORD-789')
    await a.getByRole('button', { name: 'Save', exact: true }).click()
    await a.getByText('Saved.').waitFor()
    const [download] = await Promise.all([a.waitForEvent('download'), a.getByRole('button', { name: 'Download encrypted backup file' }).click()])
    const file = await download.path()
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('handover-backup')
    expect(text).not.toMatch(/abandon|"mnemonic"|TURN-PASSWORD-789|turnuser/)

    const b = await phone(app.browser, app.url + '/')
    await b.getByRole('button', { name: 'Restore from a backup file' }).click()
    await b.getByLabel('Backup file').setInputFiles(file)
    await b.getByLabel("The backup's passphrase").fill('wrong passphrase')
    await b.getByRole('button', { name: 'Restore wallet' }).click()
    await expect.poll(() => b.getByRole('alert').innerText()).toContain('not right')
    await b.getByLabel("The backup's passphrase").fill(PASS)
    await b.getByRole('button', { name: 'Restore wallet' }).click()
    await expect.poll(() => balanceSats(b), { timeout: 30_000 }).toBe(1_000_000)
    await b.getByRole('button', { name: 'Settings' }).click()
    expect(await b.getByLabel('STUN/TURN servers (one per line: url [username credential])').inputValue()).toBe('turn:turn.example:3478 turnuser TURN-PASSWORD-789')
  })
})
