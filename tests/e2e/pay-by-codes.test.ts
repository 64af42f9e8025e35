// Paying with no network between the phones (issue 14): both phones offline, the payee's
// request filmed from its screen, the payment shown as an animated BC-UR fountain and
// filmed back, the payee's signed answer filmed by the payer. Everything through the UI,
// with fake cameras fed recordings of the other phone's screen.
import { describe, expect, it, onTestFinished } from 'vitest'
import type { Page } from 'playwright-core'
import { PrivateKey } from '@bsv/sdk'
import { usePhonePairs } from './phone-pair.ts'
import { filmAnimated, filmStatic, showTexts } from './camera-film.ts'
import { stored } from './killable-phone.ts'
import { balanceSats, createWallet, fundedWallet } from './wallet-ui.ts'
import { kill, killablePhone, reopen } from './killable-phone.ts'
import { cameraPhone } from './phones.ts'
import { sealEnvelope } from '../../src/core/camera/envelope.ts'
import { animatedCode } from '../../src/core/camera/ur-frames.ts'
import { oversizedParts, wrongChecksumParts } from '../unit/camera-hostile.ts'

const pair = usePhonePairs('pay-by-codes')
const AMOUNT = 21_000

const textOf = async (p: Page, id: string): Promise<string> => await p.getByTestId(id).innerText({ timeout: 1_000 }).catch(() => '')
const payPhase = async (p: Page): Promise<string | null> => await p.getByTestId('pay-status').getAttribute('data-phase', { timeout: 2_000 }).catch(() => null)
const receivePhase = async (p: Page): Promise<string | null> => await p.getByTestId('receive-status').getAttribute('data-phase', { timeout: 2_000 }).catch(() => null)

async function requestByCodes (payee: Page, memo: string): Promise<void> {
  await payee.getByRole('button', { name: 'Receive' }).click()
  await payee.getByLabel('Amount (satoshis)').fill(String(AMOUNT))
  await payee.getByLabel('What for (optional)').fill(memo)
  await payee.getByRole('button', { name: 'No network? Use codes only' }).click()
  await payee.getByTestId('camera-qr').waitFor()
}

/** Payer films the request and confirms: signed and stored, its payment code on screen. */
async function payerConfirms (payer: { page: Page, camera: string }, payee: Page): Promise<void> {
  await filmStatic(payee, payer.camera, pair.dir)
  await payer.page.getByRole('button', { name: 'Pay', exact: true }).click()
  await payer.page.getByRole('button', { name: 'No network? Use codes only' }).click()
  await payer.page.getByTestId('pay-request').waitFor({ timeout: 30_000 })
  expect(await textOf(payer.page, 'pay-request')).toContain('21,000')
  await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
  await payer.page.getByTestId('camera-qr').waitFor({ timeout: 20_000 })
  expect(await payer.page.getByTestId('camera-qr').getAttribute('data-what')).toBe('payment')
}

async function fragmentsShown (payer: Page): Promise<number> {
  const info = await payer.getByTestId('camera-qr-info').innerText()
  return Number(/(\d+) parts/.exec(info)?.[1] ?? NaN)
}

/**
 * The payee films the payer's moving code (each part about three times over; `drop` says
 * which frames never reach its camera) and stores the payment. Returns the payment's txid.
 */
async function payeeFilmsPayment (payer: { page: Page }, payee: { page: Page, camera: string }, drop?: (i: number) => boolean): Promise<string> {
  const n = await fragmentsShown(payer.page)
  await filmAnimated(payer.page, payee.camera, pair.dir, { distinct: n * 3, drop })
  await payee.page.getByTestId('film-payment').click()
  await expect.poll(() => receivePhase(payee.page), { timeout: 60_000 }).toBe('queued')
  return (await stored(payee.page)).sessions.find(s => s.role === 'payee')?.state.txid as string
}

describe('pay by codes only, no network between the phones', () => {
  it('a full payment with both phones offline, 20% of the payment\'s frames lost, then paid exactly once', async () => {
    const [payer, payee] = await pair.twoPhones()
    await payer.page.context().setOffline(true)
    await payee.page.context().setOffline(true)
    await requestByCodes(payee.page, 'Market stall')
    await payerConfirms(payer, payee.page)
    // Signed and stored before its code was drawn: the outbox holds it for the deadline.
    const payerSession = (await stored(payer.page)).sessions.find(s => s.role === 'payer')
    expect(payerSession?.state.phase).toBe('handedOver')

    // The payee films the moving code; every fifth frame never reaches its camera.
    const txid = await payeeFilmsPayment(payer, payee, i => i % 5 === 2)
    expect(await textOf(payee.page, 'proofs')).toContain('Accepted offline')

    // Its signed answer goes back the same way.
    await payee.page.getByTestId('camera-qr').waitFor()
    expect(await payee.page.getByTestId('camera-qr').getAttribute('data-what')).toBe('ack')
    await filmStatic(payee.page, payer.camera, pair.dir)
    await payer.page.getByRole('button', { name: 'Scan the payee\'s answer' }).click()
    await expect.poll(() => payPhase(payer.page), { timeout: 30_000 }).toBe('acked')

    // Back online: the payee's outbox broadcasts; the payer's stands down. One tx, once.
    expect(txid).toMatch(/^[0-9a-f]{64}$/)
    await payee.page.context().setOffline(false)
    await payer.page.context().setOffline(false)
    await expect.poll(async () => (await fetch(`${pair.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 60_000 }).toBe(200)
    const payerLedger = (await stored(payer.page)).ledger.filter(l => l.direction === 'out')
    expect(payerLedger.map(l => l.txid)).toEqual([txid])
    const payeeLedger = (await stored(payee.page)).ledger.filter(l => l.direction === 'in')
    expect(payeeLedger.map(l => l.txid)).toEqual([txid])
    expect(payeeLedger[0]?.memo).toBe('Market stall')
    await payer.page.getByRole('button', { name: 'Wallet' }).click()
    // The balance reads '…' while the wallet works it out.
    await expect.poll(() => balanceSats(payer.page), { timeout: 10_000 }).toBeGreaterThan(0)
    const fee = 1_000_000 - AMOUNT - await balanceSats(payer.page)
    expect(fee).toBeGreaterThan(0)
    expect(fee).toBeLessThan(1_000)
  })

  it('a hostile animated code is refused with a clear reason: wrong checksum, oversized, another payment', async () => {
    // Only the payee is real here: the "payer" is the test, showing forged codes.
    const payee = await cameraPhone(pair.srv.url + '/', pair.dir, 'payee-hostile')
    onTestFinished(async () => { await payee.browser.close() })
    await createWallet(payee.page)
    await payee.page.context().setOffline(true)
    await requestByCodes(payee.page, 'Hostile')
    expect(await payee.page.getByTestId('camera-qr').getAttribute('data-what')).toBe('request')
    const hostile = PrivateKey.fromRandom()
    // A well-formed, well-signed payment... for another request.
    const other = sealEnvelope({ v: 1, type: 'payment', id: 'p1', paymentId: 'another_request_0001', beef: '0100beef'.padEnd(400, '0') }, hostile)
    const cases: Array<[string[], RegExp]> = [
      [wrongChecksumParts(other, 40, 120), /^The code's parts do not fit together \(a damaged or forged code\): refused\. Nothing was received\.$/],
      [oversizedParts(other, 50_000_000, 10, 120), /^This code claims to be far bigger than any payment: refused\. Nothing was received\.$/],
      [(() => { const src = animatedCode(other, 120); return Array.from({ length: 40 }, () => src.next()) })(), /another request/]
    ]
    for (const [texts, reason] of cases) {
      await showTexts(texts, payee.camera, pair.dir)
      await payee.page.getByTestId('film-payment').click()
      await expect.poll(() => textOf(payee.page, 'scan-refusal'), { timeout: 30_000 }).toMatch(reason)
      await payee.page.getByRole('button', { name: 'Show my code again' }).click()
      // The camera is closed before the next recording is put in front of it.
      await payee.page.waitForTimeout(500)
      // Nothing was received: the request still waits, its code still on screen.
      expect(await receivePhase(payee.page)).toBe('requestSent')
    }
    expect((await stored(payee.page)).ledger).toEqual([])
  })

  it('payee\'s tab closed right after filming the payment: reopened, it shows the payment received and its signed answer again; the payer films it and finishes, paid exactly once', async () => {
    const payer = await cameraPhone(pair.srv.url + '/', pair.dir, 'payer-kill')
    const payee = await killablePhone(pair.srv.url + '/', pair.dir, 'payee-kill')
    onTestFinished(async () => { await payer.browser.close(); await payee.ctx.close().catch(() => undefined) })
    await fundedWallet(payer.page)
    await createWallet(payee.page)
    await payer.page.context().setOffline(true)
    await payee.ctx.setOffline(true)
    await requestByCodes(payee.page, 'Closed tab')
    await payerConfirms(payer, payee.page)
    const txid = await payeeFilmsPayment(payer, payee)
    await kill(payee)

    // Reopened (and online again): the stored payment is there and its outbox sends it.
    await reopen(payee, pair.srv.url + '/')
    await expect.poll(async () => (await fetch(`${pair.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 60_000 }).toBe(200)
    // The payer is still waiting for the answer it never filmed: Receive shows the payment
    // as received and the same signed answer again.
    expect(await payPhase(payer.page)).toBe('handedOver')
    await payee.page.getByRole('button', { name: 'Receive' }).click()
    await payee.page.getByTestId('camera-qr').waitFor({ timeout: 20_000 })
    expect(await payee.page.getByTestId('camera-qr').getAttribute('data-what')).toBe('ack')
    expect(['queued', 'acked', 'broadcast', 'seen']).toContain(await receivePhase(payee.page))
    expect(await textOf(payee.page, 'receive-status')).toMatch(/Payment received/)
    await filmStatic(payee.page, payer.camera, pair.dir)
    await payer.page.getByRole('button', { name: 'Scan the payee\'s answer' }).click()
    await expect.poll(() => payPhase(payer.page), { timeout: 30_000 }).toBe('acked')

    // One transaction, one ledger entry on each side. Online again, the payer sees it on the
    // network and its outbox stands down: nothing left for it to send.
    await payer.page.context().setOffline(false)
    await expect.poll(async () => (await stored(payer.page)).ledger.find(l => l.txid === txid)?.status, { timeout: 60_000 }).toMatch(/^(seen|mined)$/)
    expect((await stored(payer.page)).outbox).toEqual([])
    const incoming = (await stored(payee.page)).ledger.filter(l => l.direction === 'in')
    expect(incoming.map(l => l.txid)).toEqual([txid])
    expect(incoming[0]?.memo).toBe('Closed tab')
    expect((await stored(payer.page)).ledger.filter(l => l.direction === 'out').map(l => l.txid)).toEqual([txid])

    // Closed by the person, the answer does not come back on the next opening.
    await payee.page.getByRole('button', { name: 'Done' }).click()
    const byCamera = async (): Promise<unknown> => ((await stored(payee.page)).sessions.find(s => s.role === 'payee') as { byCamera?: true } | undefined)?.byCamera
    await expect.poll(byCamera, { timeout: 5_000 }).toBeUndefined()
    await kill(payee)
    await reopen(payee, pair.srv.url + '/')
    await payee.page.getByRole('button', { name: 'Receive' }).click()
    await payee.page.getByLabel('Amount (satoshis)').waitFor()
    // The reopened app brings a session back without being awaited: give it the time it took above.
    await payee.page.waitForTimeout(3_000)
    expect(await payee.page.getByTestId('camera-qr').count()).toBe(0)
    expect(await payee.page.getByLabel('Amount (satoshis)').count()).toBe(1)
  })

  it('a payer whose link cannot form pays the same request by codes instead, exactly once', async () => {
    const [payer, payee] = await pair.twoPhones()
    // The payee shows a one-scan code while it has network; then neither phone has any.
    await payee.page.getByRole('button', { name: 'Receive' }).click()
    await payee.page.getByLabel('Amount (satoshis)').fill(String(AMOUNT))
    await payee.page.getByLabel('What for (optional)').fill('No signal')
    await payee.page.getByRole('button', { name: 'Show payment code' }).click()
    const invite = (await payee.page.getByTestId('pair-qr').getAttribute('data-text'))!
    const requestId = (await stored(payee.page)).sessions.find(s => s.role === 'payee')?.paymentId
    expect(requestId).toBeDefined()
    await payer.page.context().setOffline(true)
    await payee.page.context().setOffline(true)
    await payee.page.getByTestId('receive-dead').waitFor({ timeout: 10_000 })
    await payee.page.getByRole('button', { name: 'No connection between the phones — pay by showing codes instead' }).click()
    await payee.page.getByTestId('camera-qr').waitFor()

    // The payer got the code, but its link cannot form: it is offered codes instead.
    await filmStatic(payee.page, payer.camera, pair.dir)
    await payer.page.getByRole('button', { name: 'Pay', exact: true }).click()
    await payer.page.getByLabel('Address or bitcoin: link').fill(invite)
    await payer.page.getByRole('button', { name: 'Review' }).click()
    await payer.page.getByRole('button', { name: 'No connection between the phones — pay by showing codes instead' }).click({ timeout: 30_000 })
    await payer.page.getByTestId('pay-request').waitFor({ timeout: 30_000 })
    expect(await textOf(payer.page, 'pay-request')).toContain('21,000')
    expect(await textOf(payer.page, 'pay-request')).toContain('No signal')
    await payer.page.getByRole('button', { name: 'Confirm and pay' }).click()
    await payer.page.getByTestId('camera-qr').waitFor({ timeout: 20_000 })
    // It pays the very request the payee showed over the link, not another one.
    const payerSessions = (await stored(payer.page)).sessions.filter(s => s.role === 'payer')
    expect(payerSessions.map(s => s.paymentId)).toEqual([requestId])

    const txid = await payeeFilmsPayment(payer, payee)
    await filmStatic(payee.page, payer.camera, pair.dir)
    await payer.page.getByRole('button', { name: 'Scan the payee\'s answer' }).click()
    await expect.poll(() => payPhase(payer.page), { timeout: 30_000 }).toBe('acked')

    // Online again: one transaction, one entry on each side, one session each.
    await payee.page.context().setOffline(false)
    await payer.page.context().setOffline(false)
    await expect.poll(async () => (await fetch(`${pair.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 60_000 }).toBe(200)
    await expect.poll(async () => (await stored(payer.page)).ledger.find(l => l.txid === txid)?.status, { timeout: 60_000 }).toMatch(/^(seen|mined)$/)
    const payerStore = await stored(payer.page)
    expect(payerStore.ledger.filter(l => l.direction === 'out').map(l => l.txid)).toEqual([txid])
    expect(payerStore.sessions.filter(s => s.role === 'payer')).toHaveLength(1)
    expect(payerStore.outbox).toEqual([])
    const payeeStore = await stored(payee.page)
    expect(payeeStore.ledger.filter(l => l.direction === 'in').map(l => l.txid)).toEqual([txid])
    expect(payeeStore.sessions.filter(s => s.role === 'payee').map(s => s.paymentId)).toEqual([requestId])
  })

  it('the payer never films the answer: at its deadline its outbox broadcasts the payment by itself, exactly once', async () => {
    // The payer's clock is the browser's, moved forward here instead of waiting two minutes.
    const payer = await cameraPhone(pair.srv.url + '/', pair.dir, 'payer-no-ack')
    const payee = await cameraPhone(pair.srv.url + '/', pair.dir, 'payee-no-ack')
    onTestFinished(async () => { await payer.browser.close(); await payee.browser.close() })
    await payer.page.clock.install()
    await payer.page.reload()
    await fundedWallet(payer.page)
    await createWallet(payee.page)
    // Every broadcast the payer's phone sends to the miner.
    const submits: string[] = []
    payer.page.on('request', r => { if (r.method() === 'POST' && new URL(r.url()).pathname.endsWith('/arc/v1/tx')) submits.push(r.url()) })

    await payer.page.context().setOffline(true)
    await payee.page.context().setOffline(true)
    await requestByCodes(payee.page, 'Left before the answer')
    await payerConfirms(payer, payee.page)
    const txid = await payeeFilmsPayment(payer, payee)
    // The payee walks away with it, still offline; the payer never films its answer.

    await payer.page.context().setOffline(false)
    // Well before the deadline nothing is sent: the payee may still answer (even refuse).
    await payer.page.clock.fastForward('01:00')
    await payer.page.waitForTimeout(2_000)
    expect(submits).toEqual([])
    expect(await payPhase(payer.page)).toBe('handedOver')
    // Past it, the payer's phone sends the payment itself.
    await payer.page.clock.fastForward('01:05')
    await expect.poll(async () => (await fetch(`${pair.srv.url}/devnet/arc/v1/tx/${txid}`)).status, { timeout: 60_000 }).toBe(200)
    await expect.poll(async () => (await stored(payer.page)).ledger.find(l => l.txid === txid)?.status, { timeout: 60_000 }).toMatch(/^(seen|mined)$/)
    expect((await stored(payer.page)).outbox).toEqual([])
    // Much later, still once.
    await payer.page.clock.fastForward('10:00')
    await payer.page.waitForTimeout(2_000)
    expect(submits).toHaveLength(1)
    expect((await stored(payer.page)).ledger.filter(l => l.direction === 'out').map(l => l.txid)).toEqual([txid])

    // The payee comes back online: its own copy is the same transaction, one entry.
    await payee.page.context().setOffline(false)
    await expect.poll(async () => (await stored(payee.page)).outbox.length, { timeout: 60_000 }).toBe(0)
    expect((await stored(payee.page)).ledger.filter(l => l.direction === 'in').map(l => l.txid)).toEqual([txid])
  })

  it('a one-scan code that can no longer connect offers the same request as codes instead', async () => {
    const payee = await cameraPhone(pair.srv.url + '/', pair.dir, 'payee-fallback')
    onTestFinished(async () => { await payee.browser.close() })
    await createWallet(payee.page)
    await payee.page.getByRole('button', { name: 'Receive' }).click()
    await payee.page.getByLabel('Amount (satoshis)').fill('5000')
    await payee.page.getByRole('button', { name: 'Show payment code' }).click()
    await payee.page.getByTestId('pair-qr').waitFor()
    await payee.page.context().setOffline(true)
    await payee.page.getByTestId('receive-dead').waitFor({ timeout: 10_000 })
    await payee.page.getByRole('button', { name: 'No connection between the phones — pay by showing codes instead' }).click()
    await payee.page.getByTestId('camera-qr').waitFor()
    expect(await payee.page.getByTestId('camera-qr').getAttribute('data-what')).toBe('request')
    expect(await payee.page.getByTestId('receive-dead').count()).toBe(0)
    expect(await receivePhase(payee.page)).toBe('requestSent')
    // The same request, not a second one: one stored payee session.
    expect((await stored(payee.page)).sessions.filter(s => s.role === 'payee')).toHaveLength(1)
  })
})
