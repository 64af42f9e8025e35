// The installed app: manifest and service worker meet install criteria, the shell opens
// offline after the first visit (wallet included), a second tab is refused, and a
// bitcoin: link opens the send screen filled in.
import { describe, expect, it } from 'vitest'
import { useApp } from './app-fixture.ts'
import { balanceSats, createWallet, fundedWallet, PASS, phone, unlock } from './wallet-ui.ts'

const app = useApp()

describe('installable app', () => {
  it('serves a manifest with icons, id, protocol handler and launch handler, and strict security headers', async () => {
    const res = await fetch(app.url + '/')
    const csp = res.headers.get('content-security-policy')!
    // Scripts from our origin only; WebAssembly (the QR decoder) may compile, JS may not be eval'd.
    expect(csp.split('; ').find(d => d.startsWith('script-src'))).toBe("script-src 'self' 'wasm-unsafe-eval'")
    expect(csp).not.toMatch(/'unsafe-inline'|'unsafe-eval'/)
    expect(csp).toContain("frame-ancestors 'none'")
    const html = await res.text()
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    const m = await (await fetch(app.url + '/manifest.webmanifest')).json() as any
    expect(m).toMatchObject({ id: '/', name: 'Handover', display: 'standalone', start_url: '/', launch_handler: { client_mode: 'focus-existing' } })
    expect(m.protocol_handlers).toEqual([{ protocol: 'bitcoin', url: '/?uri=%s' }])
    const sizes = m.icons.map((i: any) => `${i.sizes}:${i.purpose}`)
    expect(sizes).toEqual(expect.arrayContaining(['192x192:any', '512x512:any', '512x512:maskable']))
    for (const icon of m.icons) expect((await fetch(`${app.url}/${icon.src}`)).headers.get('content-type')).toBe('image/png')
    // A production build publishes no source maps: the scripts point to none, and none is served.
    const script = /<script[^>]*\bsrc="([^"]+)"/.exec(html)![1]!
    const js = await (await fetch(new URL(script, app.url + '/'))).text()
    expect(js).not.toMatch(/sourceMappingURL/)
    expect((await fetch(new URL(script + '.map', app.url + '/'))).status).toBe(404)
  })

  it('opens offline after the first visit, with the wallet and its balance', async () => {
    const page = await phone(app.browser, app.url + '/')
    await fundedWallet(page)
    await page.evaluate(async () => { await navigator.serviceWorker.ready })
    await page.context().setOffline(true)
    await page.reload()
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)
    await unlock(page)
    await expect.poll(() => balanceSats(page), { timeout: 20_000 }).toBe(1_000_000)
    expect(await page.getByRole('status').first().innerText()).toMatch(/Could not reach|offline|network/i)
    await page.context().setOffline(false)
  })

  it('refuses a second tab of the same wallet', async () => {
    const first = await phone(app.browser, app.url + '/')
    await first.getByRole('button', { name: 'Create a new wallet' }).waitFor()
    const second = await first.context().newPage()
    await second.goto(app.url + '/')
    await expect.poll(() => second.getByRole('alert').innerText()).toContain('already open in another tab')
    await first.close()
    await second.reload()
    await second.getByRole('button', { name: 'Create a new wallet' }).waitFor()
  })

  it('a browser that refuses the wallet its storage says so and what to do, instead of "Opening wallet…" for ever', async () => {
    // What a browser does where a site may keep no data (an opaque origin, storage blocked):
    // indexedDB.open throws a SecurityError.
    const page = await phone(app.browser, app.url + '/', async ctx => {
      await ctx.addInitScript(() => {
        IDBFactory.prototype.open = function () { throw new DOMException('The operation is insecure.', 'SecurityError') }
      })
    })
    await expect.poll(() => page.getByTestId('storage-problem').innerText(), { timeout: 10_000 }).toContain('would not let Handover open its storage')
    expect(await page.getByRole('alert').innerText()).toContain('private window')
    // The browser's own reason is there for whoever helps, behind Details.
    await page.getByText('Details').click()
    await expect.poll(() => page.locator('.message-detail').innerText()).toContain('SecurityError')
    expect(await page.getByRole('button', { name: 'Create a new wallet' }).count()).toBe(0)
  })

  it('a bitcoin: link opens Send with the address and amount filled in', async () => {
    const page = await phone(app.browser, app.url + '/')
    await createWallet(page)
    const target = 'bitcoin:mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8?sv&amount=0.0002'
    await page.reload()
    await page.goto(`${app.url}/?uri=${encodeURIComponent(target)}`)
    await page.getByLabel('Passphrase').fill(PASS)
    await page.getByRole('button', { name: 'Unlock' }).click()
    await page.getByLabel('Address or bitcoin: link').waitFor({ timeout: 20_000 })
    expect(new URL(page.url()).search).toBe('')
    expect(await page.getByLabel('Address or bitcoin: link').inputValue()).toBe(target)
    await page.getByRole('button', { name: 'Review' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('Send 20,000 sats')
  })

  it('runs every screen without a single Content-Security-Policy violation', async () => {
    const page = await phone(app.browser, app.url + '/', async ctx => {
      await ctx.addInitScript(() => {
        const w = window as unknown as { cspViolations: string[] }
        w.cspViolations = []
        document.addEventListener('securitypolicyviolation', e => { w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`) })
      })
    })
    await fundedWallet(page)
    await page.getByTestId('history').locator('summary').first().click()
    await page.getByRole('button', { name: 'Receive' }).click()
    await page.getByLabel('Amount (satoshis)').fill('500')
    await page.getByRole('button', { name: 'Show payment code' }).click()
    await page.getByTestId('pair-qr').waitFor()
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    await page.getByRole('button', { name: 'Scan a code' }).click()
    await page.getByLabel('Or paste the code').waitFor()
    await page.getByRole('button', { name: 'Settings' }).click()
    await page.getByRole('button', { name: 'Show recovery words' }).click()
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([])
  })
})
