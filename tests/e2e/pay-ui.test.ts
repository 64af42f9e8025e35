// Issue 4/5 end to end through the UI only: two phones (two Chromium processes with fake
// cameras), the devnet and the signalling service. The payee asks, the payer scans, both
// compare the code, the payer confirms, the payee verifies and acks, the money arrives.
import { describe, expect, it } from 'vitest'
import { pointCamera, type CameraPhone } from './phones.ts'
import { usePhonePairs } from './phone-pair.ts'
import { balanceSats, entry, mine, refresh } from './wallet-ui.ts'

const pair = usePhonePairs('pay-ui')
const twoPhones = pair.twoPhones

async function request (payee: CameraPhone, sats: number, memo: string, twoScans: boolean): Promise<void> {
  const p = payee.page
  await p.getByRole('button', { name: 'Receive' }).click()
  await p.getByLabel('Amount (satoshis)').fill(String(sats))
  await p.getByLabel('What for (optional)').fill(memo)
  // Offline here means "no internet" (the phone still thinks it is online): the person
  // picks two scans themselves, so the box must be there.
  if (twoScans) await p.getByLabel('Two scans, no server (works without internet)').check()
  await p.getByRole('button', { name: 'Show payment code' }).click()
  await p.getByTestId('pair-qr').waitFor()
}

async function confirmOnPayer (payer: CameraPhone, payee: CameraPhone, sats: number, memo: string): Promise<void> {
  const req = payer.page.getByTestId('pay-request')
  await req.waitFor({ timeout: 30_000 }).catch(async e => {
    // Say what each screen showed: a pairing failure names its reason there.
    throw new Error(`no payment request on the payer: ${(e as Error).message}\n--- payer:\n${await payer.page.locator('main').innerText()}\n--- payee:\n${await payee.page.locator('main').innerText()}`)
  })
  expect(await req.innerText()).toContain(`${sats.toLocaleString('en-US')} sats`)
  expect(await req.innerText()).toContain(memo)
  // Fee and total are on screen before the button.
  await payer.page.getByTestId('pay-quote').waitFor()
  const quote = await payer.page.getByTestId('pay-quote').innerText()
  const fee = Number(/Network fee\s+([\d,]+) sats?/.exec(quote)![1]!.replace(/,/g, ''))
  expect(quote).toContain(`${(sats + fee).toLocaleString('en-US')} sats`)
  // Both screens show the same short authentication string.
  const sasPayer = await payer.page.getByTestId('sas').innerText()
  await payee.page.getByTestId('sas').waitFor()
  expect(await payee.page.getByTestId('sas').innerText()).toBe(sasPayer)
  expect(sasPayer).toMatch(/^\d{3} \d{3}$/)
  // One way out of the confirm screen, and the memo set off by a spaced dot.
  expect(await payer.page.getByRole('button', { name: 'Cancel' }).count()).toBe(1)
  expect(await payer.page.getByRole('button', { name: 'Close' }).count()).toBe(0)
  expect(await req.innerText()).toMatch(new RegExp(` · “${memo}”`))
  await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
}

describe('paying the person in front of you, through the UI', () => {
  it('online: one scan of an invite, payee verifies, acks and broadcasts; both ledgers agree after a block', async () => {
    const [payer, payee] = await twoPhones()
    await request(payee, 25_000, 'coffee', false)
    await pointCamera(payee.page, payer, pair.dir)
    await payer.page.getByRole('button', { name: 'Pay', exact: true }).click()
    await payer.page.getByRole('button', { name: 'Scan a code' }).click()
    await confirmOnPayer(payer, payee, 25_000, 'coffee')

    await expect.poll(() => payer.page.getByTestId('pay-status').getAttribute('data-phase'), { timeout: 30_000 }).toMatch(/acked|broadcast|mined/)
    await expect.poll(() => payee.page.getByTestId('receive-status').getAttribute('data-phase'), { timeout: 30_000 }).toMatch(/seen|broadcast/)
    // Both screens say how the phones are linked (on one machine: phone to phone), and the
    // card carries the path and connect time for the network lab.
    for (const p of [payer, payee]) {
      expect(await p.page.getByTestId('link-path').innerText()).toBe('Connected directly, phone to phone.')
      expect(await p.page.getByTestId('peer').getAttribute('data-link-path')).toBe('direct')
    }
    expect(Number(await payer.page.getByTestId('peer').getAttribute('data-connect-ms'))).toBeGreaterThan(0)
    // Trust on first use: the payer names the payee's key.
    expect(await payer.page.getByTestId('peer').innerText()).toContain('first time')
    await payer.page.getByLabel('Name this contact').fill('Ann')
    await payer.page.getByRole('button', { name: 'Save name' }).click()
    await expect.poll(() => payer.page.getByTestId('peer-name').innerText()).toBe('Ann')
    // The payee broadcast right after its ack: the payer's history says so within seconds,
    // without a Refresh (the 15 s background refresh is not what this waits for), and the
    // balance line no longer counts it as being sent.
    await payer.page.getByRole('button', { name: /^(Done|Close)$/ }).click()
    await payer.page.getByRole('button', { name: 'Wallet' }).click()
    await expect.poll(() => entry(payer.page, 'out').getAttribute('data-status'), { timeout: 12_000 }).toBe('seen')
    expect(await entry(payer.page, 'out').innerText()).toContain('Seen by the network')
    // The balance line is recomputed from the same change a moment later (it also reads the coins).
    await expect.poll(() => payer.page.getByTestId('being-sent').count(), { timeout: 3_000 }).toBe(0)

    await mine(pair.srv.url)
    await payee.page.getByRole('button', { name: 'Done' }).click()
    await refresh(payee.page)
    await expect.poll(() => balanceSats(payee.page), { timeout: 20_000 }).toBe(25_000)
    await expect.poll(() => entry(payee.page, 'in').getAttribute('data-status'), { timeout: 20_000 }).toBe('mined')
    await refresh(payer.page)
    const out = entry(payer.page, 'out')
    await expect.poll(() => out.getAttribute('data-status'), { timeout: 40_000 }).toBe('mined')
    const fee = 1_000_000 - 25_000 - await balanceSats(payer.page)
    expect(fee).toBeGreaterThan(0)
    expect(fee).toBeLessThan(100)
    expect(await out.getAttribute('data-txid')).toBe(await entry(payee.page, 'in').getAttribute('data-txid'))
    await out.locator('summary').click()
    expect(await out.innerText()).toMatch(/To\s+Ann/)
  })

  it('offline: two scans with no server and no internet; the payee broadcasts when the network returns', async () => {
    const [payer, payee] = await twoPhones()
    // Like a hotspot with no internet: the phones see each other, no chain, miner or signalling.
    const noInternet = /\/(devnet|signal)\b/
    await payer.page.context().route(noInternet, r => r.abort('internetdisconnected'))
    await payee.page.context().route(noInternet, r => r.abort('internetdisconnected'))
    await request(payee, 40_000, 'bread', true)
    const offer = await pointCamera(payee.page, payer, pair.dir)
    expect(offer.length).toBeLessThanOrEqual(155)
    await payer.page.getByRole('button', { name: 'Pay', exact: true }).click()
    await payer.page.getByRole('button', { name: 'Scan a code' }).click()
    // The payer answers with a code of its own, which the payee scans.
    await pointCamera(payer.page, payee, pair.dir)
    await payee.page.getByRole('button', { name: "Scan the payer's code" }).click()
    await confirmOnPayer(payer, payee, 40_000, 'bread')

    await expect.poll(() => payee.page.getByTestId('receive-status').getAttribute('data-phase'), { timeout: 30_000 }).toBe('queued')
    expect(await payee.page.getByTestId('proofs').innerText()).toMatch(/history proofs will be checked when online/)
    await expect.poll(() => payer.page.getByTestId('pay-status').getAttribute('data-phase'), { timeout: 30_000 }).toBe('acked')
    // A look at the wallet while the payment screen stays open (it is kept across tabs).
    await payee.page.getByRole('button', { name: 'Wallet' }).click()
    const incoming = entry(payee.page, 'in')
    expect(await incoming.getAttribute('data-status')).toBe('handed-over')
    expect(await payee.page.getByTestId('incoming').innerText()).toBe('40,000 sats arriving')
    const txid = (await incoming.getAttribute('data-txid'))!
    expect((await fetch(`${pair.srv.url}/devnet/arc/v1/tx/${txid}`)).status).toBe(404)

    // The internet returns: no one touches anything, the payee's outbox sends it, and the
    // proofs it could not check offline are checked now.
    await payee.page.getByRole('button', { name: 'Receive' }).click()
    await payee.page.context().unroute(noInternet)
    await expect.poll(() => payee.page.getByTestId('proofs').innerText(), { timeout: 40_000 }).toMatch(/history proofs are verified too/)
    await payee.page.getByRole('button', { name: 'Done' }).click()
    await expect.poll(async () => (await fetch(`${pair.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 40_000 }).toBe(200)
    await payer.page.context().unroute(noInternet)
    await mine(pair.srv.url)
    await refresh(payee.page)
    await expect.poll(() => balanceSats(payee.page), { timeout: 20_000 }).toBe(40_000)
  })
})
