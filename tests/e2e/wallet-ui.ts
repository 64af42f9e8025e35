// Drives the wallet UI like a person would, for browser tests.
import { expect } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { fillCreateWallet } from './onboard.ts'
import { recordPageErrors } from './page-errors.ts'

export const PASS = 'correct horse battery staple'

export async function phone (browser: Browser, url: string, setup?: (ctx: BrowserContext) => Promise<void>): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
  await setup?.(ctx)
  const page = await ctx.newPage()
  recordPageErrors(page, 'phone')
  await page.goto(url)
  return page
}

export async function createWallet (page: Page): Promise<string> {
  const words = await fillCreateWallet(page, PASS)
  await expect.poll(() => page.getByTestId('balance').innerText(), { timeout: 20_000 }).toMatch(/sats$/)
  return words
}

/** A new wallet holding 1,000,000 devnet sats from the faucet. */
export async function fundedWallet (page: Page): Promise<string> {
  const words = await createWallet(page)
  await page.getByRole('button', { name: 'Get test coins' }).click()
  await expect.poll(() => balanceSats(page), { timeout: 20_000 }).toBe(1_000_000)
  return words
}

/**
 * Two phones on `url`: alice holding 1,000,000 devnet sats and bob with an empty wallet,
 * and bob's receive address. A failed funding says what alice's screen showed.
 */
export async function aliceAndBob (browser: Browser, url: string): Promise<{ alice: Page, bob: Page, bobAddress: string }> {
  const alice = await phone(browser, url)
  await fundedWallet(alice).catch(async e => { throw new Error(`${(e as Error).message}\n${await alice.locator('main').innerText()}`) })
  const bob = await phone(browser, url)
  await createWallet(bob)
  return { alice, bob, bobAddress: await receiveAddress(bob) }
}

export async function restoreWallet (page: Page, words: string, bip39Passphrase = ''): Promise<void> {
  await page.getByRole('button', { name: 'Restore from words' }).click()
  await page.getByLabel('Recovery words (12 or 24)').fill(words)
  if (bip39Passphrase !== '') await page.getByLabel('BIP39 passphrase (only if you used one)').fill(bip39Passphrase)
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS)
  await page.getByLabel('Repeat passphrase').fill(PASS)
  await page.getByRole('button', { name: 'Restore wallet' }).click()
}

export async function unlock (page: Page): Promise<void> {
  await page.getByLabel('Passphrase').fill(PASS)
  await page.getByRole('button', { name: 'Unlock' }).click()
  await page.getByTestId('balance').waitFor({ timeout: 20_000 })
}

export async function balanceSats (page: Page): Promise<number> {
  const text = await page.getByTestId('balance').innerText()
  return text.includes('…') ? -1 : Number(text.replace(/\D/g, ''))
}

export async function refresh (page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Wallet' }).click()
  await page.getByRole('button', { name: 'Refresh' }).click()
}

export async function receiveAddress (page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Receive' }).click()
  await expect.poll(() => page.getByTestId('receive-address').innerText()).not.toBe('')
  const address = await page.getByTestId('receive-address').innerText()
  await page.getByRole('button', { name: 'Wallet' }).click()
  return address
}

export async function send (page: Page, to: string, sats: number): Promise<void> {
  await page.getByRole('button', { name: 'Pay', exact: true }).click()
  await page.getByLabel('Address or bitcoin: link').fill(to)
  await page.getByLabel('Amount (satoshis)').fill(String(sats))
  await page.getByRole('button', { name: 'Review' }).click()
  await page.getByRole('button', { name: 'Sign and send' }).click()
  await page.getByTestId('balance').waitFor()
}

export function entry (page: Page, direction: 'in' | 'out' | 'self') {
  return page.getByTestId('history').locator(`li[data-direction="${direction}"]`)
}

/** Mines `blocks` on the devnet; with `time` (Unix seconds) the first is dated then. */
export async function mine (url: string, blocks = 1, time?: number): Promise<void> {
  const r = await fetch(url + '/devnet/mine', { method: 'POST', body: JSON.stringify({ blocks, time }) })
  if (!r.ok) throw new Error(`mine failed: ${r.status}`)
}

export async function faucetTo (url: string, address: string, satoshis: number): Promise<string> {
  const r = await fetch(url + '/devnet/faucet', { method: 'POST', body: JSON.stringify({ address, satoshis }) })
  const body = await r.json() as { txid: string }
  if (!r.ok) throw new Error(`faucet failed: ${r.status}`)
  return body.txid
}
