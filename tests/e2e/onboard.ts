// Fills the create-wallet form like a person: reads the words, ticks "written down",
// types back the words the backup check asks for, sets the passphrase. No test
// framework here, so benchmarks can use it too.
import type { Page } from 'playwright-core'

export async function fillCreateWallet (page: Page, passphrase: string): Promise<string> {
  await page.getByRole('button', { name: 'Create a new wallet' }).click()
  // The words appear once the BIP39 code (loaded after the first screen) has arrived.
  await page.getByTestId('mnemonic').waitFor()
  const words = (await page.getByTestId('mnemonic').locator('li').allInnerTexts()).join(' ')
  await page.getByLabel('I wrote them down').check()
  const list = words.split(' ')
  for (const label of await page.locator('label[for^="check-"]').allInnerTexts()) {
    const n = Number(label.replace(/\D/g, ''))
    await page.getByLabel(label, { exact: true }).fill(list[n - 1]!)
  }
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase)
  await page.getByLabel('Repeat passphrase').fill(passphrase)
  await page.getByRole('button', { name: 'Create wallet' }).click()
  return words
}
