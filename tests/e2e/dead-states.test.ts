// Dead states own the screen (issue 13): once a one-scan code can no longer work, its QR and
// "Waiting for the payer to confirm…" are gone, replaced by what happened and what to do.
import { describe, expect, it } from 'vitest'
import { useApp } from './app-fixture.ts'
import { createWallet, phone } from './wallet-ui.ts'

const app = useApp({ signalling: true })

describe('dead states', () => {
  it('going offline with a one-scan code on screen replaces it with the reason and a two-scan code offer', async () => {
    const page = await phone(app.browser, app.url + '/')
    await createWallet(page)
    await page.getByRole('button', { name: 'Receive' }).click()
    await page.getByLabel('Amount (satoshis)').fill('5000')
    await page.getByRole('button', { name: 'Show payment code' }).click()
    await page.getByTestId('pair-qr').waitFor()
    expect(await page.getByTestId('receive-status').innerText()).toBe('Waiting for the payer to confirm…')

    await page.context().setOffline(true)
    const dead = page.getByTestId('receive-dead')
    await dead.waitFor({ timeout: 10_000 })
    expect(await dead.innerText()).toMatch(/went offline.*Nothing was paid/)
    expect(await page.getByTestId('pair-qr').count()).toBe(0)
    expect(await page.getByText('Waiting for the payer to confirm…').count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Done' }).count()).toBe(1)

    // The way out works offline: a two-scan code for the same request.
    await page.getByRole('button', { name: 'Show a two-scan code' }).click()
    await page.getByTestId('pair-qr').waitFor({ timeout: 20_000 })
    expect(await dead.count()).toBe(0)
    expect(await page.getByRole('button', { name: "Scan the payer's code" }).count()).toBe(1)
  })
})
