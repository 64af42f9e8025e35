// Garbage in, an answer out (issue 13): a Wi-Fi QR in front of the camera, or a link or plain
// text pasted as the address, is named for what it is, and a Wi-Fi password is never kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import QRCode from 'qrcode'
import { useApp } from './app-fixture.ts'
import { cameraPhone, type CameraPhone } from './phones.ts'
import { createWallet } from './wallet-ui.ts'

const app = useApp({ browser: false })
let dir = ''
const phones: CameraPhone[] = []
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'garbage-in-')) })
afterAll(async () => {
  await Promise.all(phones.map(async p => await p.browser.close()))
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

/** Puts a QR code of `text` in front of the phone's camera (read when the camera opens). */
async function showToCamera (phone: CameraPhone, text: string): Promise<void> {
  const png = join(dir, `code-${Date.now()}.png`)
  await QRCode.toFile(png, text, { margin: 4, scale: 8 })
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-i', png,
    '-vf', 'scale=w=460:h=460:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p',
    '-frames:v', '3', '-f', 'yuv4mpegpipe', phone.camera])
}

const PASSWORD = 'correct-pony-7781'

describe('codes and texts that are not payments', () => {
  it('a Wi-Fi QR scanned on the Pay screen is named, and its password is neither shown nor put in the address field', async () => {
    const phone = await cameraPhone(app.url + '/', dir, 'wifi')
    phones.push(phone)
    const page = phone.page
    await createWallet(page)
    await showToCamera(phone, `WIFI:S:Corner Cafe;T:WPA;P:${PASSWORD};;`)
    await page.getByRole('button', { name: 'Pay', exact: true }).click()
    await page.getByRole('button', { name: 'Scan a code' }).click()
    const alert = page.getByRole('alert')
    await expect.poll(() => alert.count(), { timeout: 30_000 }).toBeGreaterThan(0)
    expect(await alert.innerText()).toMatch(/^That is a Wi-Fi login code \(network “Corner Cafe”\), not a payment code or address\. Handover did not keep its password\./)
    expect(await page.getByLabel('Address or bitcoin: link').inputValue()).toBe('')
    expect(await page.locator('body').innerText()).not.toContain(PASSWORD)
    // Nor is it anywhere in the page's storage.
    const stored = await page.evaluate(async () => {
      const out: string[] = [JSON.stringify(localStorage), JSON.stringify(sessionStorage)]
      for (const info of await indexedDB.databases()) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => { const r = indexedDB.open(info.name!); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error) })
        for (const name of Array.from(db.objectStoreNames)) {
          const all = await new Promise<unknown[]>((resolve, reject) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error) })
          out.push(JSON.stringify(all))
        }
        db.close()
      }
      return out.join('\n')
    })
    expect(stored).not.toContain(PASSWORD)

    // Pasted into the address field: answered and emptied at once.
    await page.getByLabel('Address or bitcoin: link').fill(`WIFI:T:WPA;P:${PASSWORD};S:Home;;`)
    await expect.poll(() => page.getByLabel('Address or bitcoin: link').inputValue()).toBe('')
    await page.getByRole('alert').filter({ hasText: 'Wi-Fi login code (network “Home”), not a payment code or address' }).waitFor()
    expect(await page.locator('body').innerText()).not.toContain(PASSWORD)

    // A link and plain text pasted as the address get their own answers at Review.
    for (const [text, answer] of [
      ['https://example.com/menu', /^That is a link to a website \(example\.com\), not a payment code or address\./],
      ['hello world', /^That is ordinary text, not a payment code or address\./]
    ] as const) {
      await page.getByLabel('Address or bitcoin: link').fill(text)
      await page.getByLabel('Amount (satoshis)').fill('1000')
      await page.getByRole('button', { name: 'Review' }).click()
      await expect.poll(() => page.getByRole('alert').last().innerText()).toMatch(answer)
    }
  })
})
