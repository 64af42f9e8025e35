// Onboarding details a person notices: the backup check holds creation until the words
// match, a restore from a published BIP39 vector shows the address other tools compute,
// and a passphrase change takes effect across a reload.
import { describe, expect, it } from 'vitest'
import { useApp } from './app-fixture.ts'
import { HD, Mnemonic } from '@bsv/sdk'
import { createWallet, PASS, phone, receiveAddress, restoreWallet, unlock } from './wallet-ui.ts'

const app = useApp()

describe('onboarding', () => {
  it('creates the wallet only once the backup words typed back match', async () => {
    const page = await phone(app.browser, app.url + '/')
    await page.getByRole('button', { name: 'Create a new wallet' }).click()
    await page.getByTestId('mnemonic').waitFor()
    const words = (await page.getByTestId('mnemonic').locator('li').allInnerTexts())
    await page.getByLabel('I wrote them down').check()
    await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
    await page.getByLabel('Repeat passphrase').fill(PASS)
    const labels = await page.locator('label[for^="check-"]').allInnerTexts()
    expect(labels).toHaveLength(3)
    const wordFor = (l: string): string => words[Number(l.replace(/\D/g, '')) - 1]!
    // Two right and one wrong is not a backup check passed.
    await page.getByLabel(labels[0]!, { exact: true }).fill(wordFor(labels[0]!))
    await page.getByLabel(labels[1]!, { exact: true }).fill(wordFor(labels[1]!))
    await page.getByLabel(labels[2]!, { exact: true }).fill('wrong')
    expect(await page.getByRole('button', { name: 'Create wallet' }).isDisabled()).toBe(true)
    await page.getByLabel(labels[2]!, { exact: true }).fill(wordFor(labels[2]!).toUpperCase())
    expect(await page.getByRole('button', { name: 'Create wallet' }).isDisabled()).toBe(false)
    await page.getByRole('button', { name: 'Create wallet' }).click()
    await page.getByTestId('balance').waitFor({ timeout: 20_000 })
  })

  it('restoring the published "abandon … about" vector shows its BIP44 first address', async () => {
    const vector = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
    // Computed independently of the app: BIP32 from the SDK over the BIP39 seed.
    const expected = HD.fromSeed(Mnemonic.fromString(vector).toSeed()).derive("m/44'/236'/0'/0/0").privKey.toAddress([0x6f])
    const page = await phone(app.browser, app.url + '/')
    await restoreWallet(page, vector)
    await page.getByTestId('balance').waitFor({ timeout: 60_000 })
    expect(await receiveAddress(page)).toBe(expected)
  })

  it('a changed passphrase is the only one that unlocks after a reload', async () => {
    const page = await phone(app.browser, app.url + '/')
    await createWallet(page)
    await page.getByRole('button', { name: 'Settings' }).click()
    await page.getByLabel('Current passphrase').fill('not it at all')
    await page.getByLabel('New passphrase').fill('a brand new passphrase')
    await page.getByRole('button', { name: 'Change passphrase' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('not right')
    await page.getByLabel('Current passphrase').fill(PASS)
    await page.getByLabel('New passphrase').fill('a brand new passphrase')
    await page.getByRole('button', { name: 'Change passphrase' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('Passphrase changed.')
    await page.reload()
    await page.getByLabel('Passphrase').fill(PASS)
    await page.getByRole('button', { name: 'Unlock' }).click()
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('not right')
    await page.getByLabel('Passphrase').fill('a brand new passphrase')
    await page.getByRole('button', { name: 'Unlock' }).click()
    await page.getByTestId('balance').waitFor({ timeout: 20_000 })
  })

  it('shows the balance in US dollars once asked to, at the chain data service\'s rate', async () => {
    const page = await phone(app.browser, app.url + '/')
    await createWallet(page)
    await page.getByRole('button', { name: 'Get test coins' }).click()
    await expect.poll(() => page.getByTestId('balance').innerText(), { timeout: 20_000 }).toBe('1,000,000 sats')
    expect(await page.getByTestId('fiat').count()).toBe(0)
    const rate = (await (await fetch(app.url + '/devnet/chain/exchangerate')).json() as { rate: number }).rate
    await page.getByRole('button', { name: 'Settings' }).click()
    await page.getByLabel('Show value in US dollars (rate from the chain data service)').check()
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('button', { name: 'Wallet' }).click()
    await expect.poll(() => page.getByTestId('fiat').innerText(), { timeout: 20_000 }).toBe(`≈ $${(0.01 * rate).toFixed(2)}`)
  })
})
