// A phone's whole browser is killed (SIGKILL, persistent profile) at a phase of a
// face-to-face payment and started again. The reopened phone must come back knowing where
// it was: its stored session ends with the payment, its ledger keeps memo and counterparty,
// a payee's Receive screen comes back to its request, and a code that can no longer work
// is never shown. Money: paid exactly once, as in pay-faults.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { pointCamera } from './phones.ts'
import { kill, reopen, stored, type KillablePhone } from './killable-phone.ts'
import { balanceSats, entry, mine, refresh } from './wallet-ui.ts'
import { useKillableLab } from './killable-fixture.ts'

const lab = useKillableLab('pay-kill-')
const url = lab.url
const twoPhones = lab.twoPhones
const AMOUNT = 21_000

async function showRequest (payee: Page, memo: string): Promise<void> {
  await payee.getByRole('button', { name: 'Receive' }).click()
  await payee.getByLabel('Amount (satoshis)').fill(String(AMOUNT))
  await payee.getByLabel('What for (optional)').fill(memo)
  await payee.getByRole('button', { name: 'Show payment code' }).click()
  await payee.getByTestId('pair-qr').waitFor()
}

/** The payer films the payee's code and sees the request; returns the code it used. */
async function scan (payer: KillablePhone, payee: Page): Promise<string> {
  const code = await pointCamera(payee, payer, lab.dir)
  await payer.page.getByRole('button', { name: 'Pay', exact: true }).click()
  await payer.page.getByRole('button', { name: 'Scan a code' }).click()
  await payer.page.getByTestId('pay-request').waitFor({ timeout: 30_000 })
  return code
}

const payPhase = async (p: Page): Promise<string | null> => await p.getByTestId('pay-status').getAttribute('data-phase', { timeout: 2_000 }).catch(() => null)
const receivePhase = async (p: Page): Promise<string | null> => await p.getByTestId('receive-status').getAttribute('data-phase', { timeout: 2_000 }).catch(() => null)
const sessionOf = async (p: Page, role: string): Promise<Stored['sessions'][number] | undefined> => (await stored(p)).sessions.find(s => s.role === role)
type Stored = Awaited<ReturnType<typeof stored>>

async function onNetwork (txid: string): Promise<void> {
  await expect.poll(async () => (await fetch(`${lab.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 60_000 }).toBe(200)
}

describe('a phone killed mid-payment comes back knowing where it was', () => {
  it('payer killed once acked: reopened, its session ends mined and its ledger keeps memo and payee', async () => {
    const [payer, payee] = await twoPhones()
    await showRequest(payee.page, 'Coffee for two')
    await scan(payer, payee.page)
    await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
    await expect.poll(() => payPhase(payer.page), { timeout: 30_000 }).toBe('acked')
    const before = await sessionOf(payer.page, 'payer')
    expect(before?.state.phase).toBe('acked')
    const txid = before!.state.txid!
    await kill(payer)

    await onNetwork(txid)
    await mine(lab.srv.url)
    const page = await reopen(payer, url())
    await refresh(page)
    await expect.poll(async () => (await sessionOf(page, 'payer'))?.state.phase, { timeout: 60_000 }).toBe('mined')
    const s = await stored(page)
    const out = s.ledger.find(l => l.txid === txid)
    expect(out).toMatchObject({ direction: 'out', status: 'mined', memo: 'Coffee for two', counterparty: s.sessions[0]!.state.request.payeeIdentityKey })
    await expect.poll(() => entry(page, 'out').getAttribute('data-status'), { timeout: 30_000 }).toBe('mined')
    expect(await entry(page, 'out').innerText()).toContain('Coffee for two')
    expect(1_000_000 - AMOUNT - await balanceSats(page)).toBeLessThan(100)
    expect(await entry(page, 'out').count()).toBe(1)
  })

  it('payee killed while the payer holds its request, then the payer killed at handedOver: both come back, the payer\'s outbox sends it, the payee\'s request gets a fresh code and the coin it finds keeps memo and payer', async () => {
    const [payer, payee] = await twoPhones()
    await showRequest(payee.page, 'Lunch')
    const used = await scan(payer, payee.page)
    // The link is up: the payee has stored who is about to pay, before any payment.
    await expect.poll(async () => (await sessionOf(payee.page, 'payee'))?.peerKey, { timeout: 10_000 }).toMatch(/^0[23][0-9a-f]{64}$/)
    const payerKey = (await sessionOf(payee.page, 'payee'))!.peerKey!
    await kill(payee)

    // The payee is gone: the payment is stored and handed over into the void; then the
    // payer dies too, before its ack deadline.
    await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
    await expect.poll(() => payPhase(payer.page), { timeout: 30_000 }).toBe('handedOver')
    const txid = (await sessionOf(payer.page, 'payer'))!.state.txid!
    await kill(payer)
    const payerPage = await reopen(payer, url())

    const page = await reopen(payee, url())
    await page.getByRole('button', { name: 'Receive' }).click()
    // Either still waiting (fresh code, never the dead one) or already paid by sync.
    await expect.poll(async () => {
      const phase = await receivePhase(page)
      if (phase !== 'requestSent') return phase
      const code = await page.getByTestId('pair-qr').getAttribute('data-text', { timeout: 1_000 }).catch(() => null)
      expect(code).not.toBe(used)
      return code === null ? 'waiting' : 'fresh'
    }, { timeout: 30_000 }).toMatch(/fresh|seen|mined/)
    expect(await page.getByRole('region', { name: 'Request a payment' }).innerText().catch(async () => await page.locator('section').first().innerText())).toContain('Lunch')

    // The reopened payer's outbox sends the stored payment once its ack deadline passed.
    await expect.poll(async () => (await fetch(`${lab.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 90_000 }).toBe(200)
    await mine(lab.srv.url)
    await refresh(payerPage)
    await expect.poll(async () => (await sessionOf(payerPage, 'payer'))?.state.phase, { timeout: 60_000 }).toBe('mined')
    expect((await stored(payerPage)).ledger.find(l => l.txid === txid)).toMatchObject({ direction: 'out', status: 'mined', memo: 'Lunch' })
    await refresh(page)
    await expect.poll(() => balanceSats(page), { timeout: 60_000 }).toBe(AMOUNT)
    await expect.poll(async () => (await sessionOf(page, 'payee'))?.state.phase, { timeout: 60_000 }).toMatch(/seen|mined/)
    const s = await stored(page)
    expect(s.sessions.find(x => x.role === 'payee')?.state.txid).toBe(txid)
    expect(s.ledger.find(l => l.txid === txid)).toMatchObject({ direction: 'in', memo: 'Lunch', counterparty: payerKey })
    expect(await entry(page, 'in').count()).toBe(1)
    expect(await entry(page, 'in').innerText()).toContain('Lunch')
    await page.getByRole('button', { name: 'Receive' }).click()
    await expect.poll(() => receivePhase(page), { timeout: 30_000 }).toMatch(/seen|mined/)
    expect(await page.getByTestId('pair-qr').count()).toBe(0)
  })

  it('payer killed after scanning: the payee never shows the used code again, a fresh one for the same request gets it paid once', async () => {
    const [payer, payee] = await twoPhones()
    await showRequest(payee.page, 'Bread')
    const used = await scan(payer, payee.page)
    await kill(payer)

    // Until the payee notices the link is gone it shows no code; then a fresh one.
    await expect.poll(async () => {
      const code = await payee.page.getByTestId('pair-qr').getAttribute('data-text', { timeout: 500 }).catch(() => null)
      expect(code).not.toBe(used)
      return code
    }, { timeout: 90_000, interval: 250 }).toMatch(/./)
    expect(await payee.page.getByText('Ask the payer to scan this code').count()).toBe(1)

    const page = await reopen(payer, url())
    await scan(payer, payee.page)
    await page.getByRole('button', { name: 'Confirm and pay' }).click()
    await expect.poll(() => payPhase(page), { timeout: 30_000 }).toMatch(/acked|broadcast/)
    const txid = (await sessionOf(page, 'payer'))!.state.txid!
    await expect.poll(() => receivePhase(payee.page), { timeout: 30_000 }).toMatch(/broadcast|seen/)
    await onNetwork(txid)
    await mine(lab.srv.url)
    await refresh(payee.page)
    await expect.poll(() => balanceSats(payee.page), { timeout: 60_000 }).toBe(AMOUNT)
    await refresh(page)
    await expect.poll(() => entry(page, 'out').getAttribute('data-status'), { timeout: 60_000 }).toBe('mined')
    expect(await entry(page, 'out').count()).toBe(1)
    expect(await entry(payee.page, 'in').count()).toBe(1)
    expect(1_000_000 - AMOUNT - await balanceSats(page)).toBeLessThan(100)
  })

  it('payer killed at signed (stored, never handed over): reopened, its home screen shows the payment on its way, its outbox sends it once at the ack deadline, and the payee ends paid with memo and payer', async () => {
    const [payer, payee] = await twoPhones()
    await showRequest(payee.page, 'Tea')
    const used = await scan(payer, payee.page)
    await expect.poll(async () => (await sessionOf(payee.page, 'payee'))?.peerKey, { timeout: 10_000 }).toMatch(/^0[23][0-9a-f]{64}$/)
    const payerKey = (await sessionOf(payee.page, 'payee'))!.peerKey!
    // The channel stalls (its buffer never drains): the payment is signed and stored, and
    // never leaves the phone.
    await payer.page.evaluate(() => { Object.defineProperty(RTCDataChannel.prototype, 'bufferedAmount', { configurable: true, get: () => 2 ** 30 }) })
    await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
    await expect.poll(() => payPhase(payer.page), { timeout: 30_000 }).toBe('signed')
    const before = await sessionOf(payer.page, 'payer')
    expect(before?.state.phase).toBe('signed')
    const txid = before!.state.txid!
    await kill(payer)
    expect((await fetch(`${lab.srv.url}/devnet/arc/v1/tx/${txid}`)).status).toBe(404)

    const page = await reopen(payer, url())
    // Not buried in History: the home screen says what this phone was in the middle of.
    const card = page.getByTestId('on-their-way')
    await expect.poll(async () => await card.innerText().catch(() => ''), { timeout: 10_000 }).toContain('21,000 sats')
    const text = await card.innerText()
    expect(text).toContain('Tea')
    expect(text).toMatch(/Not yet seen by the network|Being sent to the network/)
    expect(text).toContain('Do not pay it again')
    expect(await card.locator(`li[data-txid="${txid}"]`).count()).toBe(1)
    expect(await page.getByRole('heading', { name: 'A payment on its way' }).count()).toBe(1)
    expect(await entry(page, 'out').count()).toBe(1)

    // The payee never shows the used code again; once it notices the link is gone, a fresh one.
    await expect.poll(async () => {
      const code = await payee.page.getByTestId('pair-qr').getAttribute('data-text', { timeout: 500 }).catch(() => null)
      expect(code).not.toBe(used)
      return code
    }, { timeout: 90_000, interval: 250 }).toMatch(/./)

    // The reopened payer's outbox sends the stored payment by its ack deadline: the very one it signed.
    await expect.poll(async () => (await fetch(`${lab.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 90_000 }).toBe(200)
    await mine(lab.srv.url)
    await refresh(page)
    await expect.poll(async () => (await sessionOf(page, 'payer'))?.state.phase, { timeout: 60_000 }).toBe('mined')
    expect((await stored(page)).ledger.find(l => l.txid === txid)).toMatchObject({ direction: 'out', status: 'mined', memo: 'Tea' })
    await expect.poll(async () => await card.count(), { timeout: 30_000 }).toBe(0)
    expect(await entry(page, 'out').count()).toBe(1)
    expect(1_000_000 - AMOUNT - await balanceSats(page)).toBeLessThan(100)

    // The payee's sync finds the coin: its request ends paid, with memo and payer, once.
    await refresh(payee.page)
    await expect.poll(() => balanceSats(payee.page), { timeout: 60_000 }).toBe(AMOUNT)
    await expect.poll(async () => (await sessionOf(payee.page, 'payee'))?.state.phase, { timeout: 60_000 }).toMatch(/seen|mined/)
    const s = await stored(payee.page)
    expect(s.sessions.find(x => x.role === 'payee')?.state.txid).toBe(txid)
    expect(s.ledger.find(l => l.txid === txid)).toMatchObject({ direction: 'in', memo: 'Tea', counterparty: payerKey })
    expect(await entry(payee.page, 'in').count()).toBe(1)
    await payee.page.getByRole('button', { name: 'Receive' }).click()
    await expect.poll(() => receivePhase(payee.page), { timeout: 30_000 }).toMatch(/seen|mined/)
    expect(await payee.page.getByTestId('pair-qr').count()).toBe(0)
  })

  it('payer killed while broadcasting itself (payee gone, "Send to the network now", the miner never reached): reopened, it sends at once rather than at the old deadline, once, and both sides end paid', async () => {
    const [payer, payee] = await twoPhones()
    await showRequest(payee.page, 'Soup')
    await scan(payer, payee.page)
    await expect.poll(async () => (await sessionOf(payee.page, 'payee'))?.peerKey, { timeout: 10_000 }).toMatch(/^0[23][0-9a-f]{64}$/)
    const payerKey = (await sessionOf(payee.page, 'payee'))!.peerKey!
    await kill(payee)

    // The miner's door hangs: the payer's own broadcast starts and never comes back.
    await payer.ctx.route('**/devnet/arc/v1/tx', () => { /* never answered */ })
    await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
    await expect.poll(() => payPhase(payer.page), { timeout: 30_000 }).toBe('handedOver')
    await payer.page.getByRole('button', { name: 'Send to the network now' }).click()
    await expect.poll(() => payPhase(payer.page), { timeout: 10_000 }).toBe('selfBroadcast')
    const before = await stored(payer.page)
    const session = before.sessions.find(x => x.role === 'payer')!
    expect(session.state.phase).toBe('selfBroadcast')
    const txid = session.state.txid!
    // The outbox entry still waits for the ack deadline set at signing.
    const deadline = before.outbox.find(o => o.txid === txid)!.nextAttemptAt
    expect(deadline).toBeGreaterThan(Date.now() + 10_000)
    await kill(payer)
    expect((await fetch(`${lab.srv.url}/devnet/arc/v1/tx/${txid}`)).status).toBe(404)

    const page = await reopen(payer, url())
    // It had decided to broadcast: no reason left to wait for a payee that is gone.
    await expect.poll(async () => (await fetch(`${lab.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 60_000 }).toBe(200)
    expect(Date.now()).toBeLessThan(deadline)

    const payeePage = await reopen(payee, url())
    await mine(lab.srv.url)
    await refresh(page)
    await expect.poll(async () => (await sessionOf(page, 'payer'))?.state.phase, { timeout: 60_000 }).toBe('mined')
    const s = await stored(page)
    expect(s.ledger.filter(l => l.direction === 'out')).toHaveLength(1)
    expect(s.ledger.find(l => l.txid === txid)).toMatchObject({ direction: 'out', status: 'mined', memo: 'Soup' })
    expect(await entry(page, 'out').count()).toBe(1)
    expect(1_000_000 - AMOUNT - await balanceSats(page)).toBeLessThan(100)
    expect(await page.getByTestId('on-their-way').count()).toBe(0)

    await refresh(payeePage)
    await expect.poll(() => balanceSats(payeePage), { timeout: 60_000 }).toBe(AMOUNT)
    await expect.poll(async () => (await sessionOf(payeePage, 'payee'))?.state.phase, { timeout: 60_000 }).toMatch(/seen|mined/)
    const p = await stored(payeePage)
    expect(p.sessions.find(x => x.role === 'payee')?.state.txid).toBe(txid)
    expect(p.ledger.find(l => l.txid === txid)).toMatchObject({ direction: 'in', memo: 'Soup', counterparty: payerKey })
    expect(await entry(payeePage, 'in').count()).toBe(1)
    await payeePage.getByRole('button', { name: 'Receive' }).click()
    await expect.poll(() => receivePhase(payeePage), { timeout: 30_000 }).toMatch(/seen|mined/)
    expect(await payeePage.getByTestId('pair-qr').count()).toBe(0)
  })
})
