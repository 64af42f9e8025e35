import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHarness, serveHarness, type HarnessServer } from './link-harness/serve.ts'
import { launchPhone, pointCamera, type Phone } from './link-harness/browser.ts'

let built: { dir: string, cleanup: () => void }
let srv: HarnessServer
let tmp: string
const phones: Phone[] = []

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'link-qr-'))
  built = await buildHarness()
  srv = await serveHarness(built.dir)
})
afterAll(async () => {
  await Promise.all(phones.map(async p => await p.browser.close()))
  await srv?.close()
  built?.cleanup()
  rmSync(tmp, { recursive: true, force: true })
})

describe('QR pairing, no server involved', () => {
  it('connects two phones that only see each other through their cameras', async () => {
    const a = await launchPhone(srv.url, { camera: join(tmp, 'a.y4m') })
    const b = await launchPhone(srv.url, { camera: join(tmp, 'b.y4m') })
    phones.push(a, b)
    const keyA = await a.page.evaluate(() => window.h.setIdentity())
    const keyB = await b.page.evaluate(() => window.h.setIdentity())

    const offer = await a.page.evaluate(async () => await window.h.qrOffer())
    expect(offer.text.length).toBeLessThanOrEqual(155)
    expect(offer.version).toBeLessThanOrEqual(6)
    expect(offer.ms).toBeLessThan(5000) // gathering is capped, never the 40 s of a dead STUN

    await pointCamera(a.page, b.camera!, join(tmp, 'offer.png'))
    const answer = await b.page.evaluate(async () => await window.h.scanOfferAndAnswer())
    expect(answer.scanned).toBe(offer.text)
    expect(answer.version).toBeLessThanOrEqual(6)

    await pointCamera(b.page, a.camera!, join(tmp, 'answer.png'))
    const linkA = await a.page.evaluate(async () => await window.h.scanAnswer())
    if ('error' in linkA) throw new Error(linkA.error)
    const linkB = await b.page.evaluate(async () => await window.h.waitLink())
    if ('error' in linkB) throw new Error(linkB.error)

    expect(linkA.mode).toBe('direct')
    expect(linkA.peerKey).toBe(keyB)
    expect(linkB.peerKey).toBe(keyA)
    expect(linkA.sas).toMatch(/^\d{3} \d{3}$/)
    expect(linkA.sas).toBe(linkB.sas)

    await a.page.evaluate(async () => { await window.h.send({ hello: 'from A' }) })
    expect(await b.page.evaluate(async () => await window.h.waitMessage())).toEqual({ hello: 'from A' })
    // a message larger than one 16 KiB frame arrives whole
    const big = 'z'.repeat(100_000)
    await b.page.evaluate(async (s) => { await window.h.send({ big: s }) }, big)
    expect(await a.page.evaluate(async () => await window.h.waitMessage())).toEqual({ big })

    await a.page.evaluate(() => window.h.close())
    expect(await b.page.evaluate(async () => await window.h.waitClose())).toMatchObject({ reason: 'peer-closed', message: 'Closed by the test.' })
  })

  it('rejects a garbled, foreign or wrong-kind code with a message a person can act on', async () => {
    const page = phones[0]!.page
    await page.evaluate(async () => await window.h.qrOffer())
    const offerText = (await page.evaluate(async () => await window.h.qrOffer())).text
    const cases = await page.evaluate(async (offer) => ({
      garbled: await window.h.acceptAnswer('hello world'),
      foreign: await window.h.acceptAnswer('bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT'),
      truncated: await window.h.acceptAnswer(offer.slice(0, 40)),
      wrongKind: await window.h.acceptAnswer(offer),
      answerForOffer: await window.h.answerText('%69 VD92EX0')
    }), offerText)
    expect(cases.garbled).toMatchObject({ code: 'bad-code', error: expect.stringMatching(/not a Handover connection code/) })
    expect(cases.foreign).toMatchObject({ code: 'bad-code' })
    expect(cases.truncated).toMatchObject({ code: 'bad-code', error: expect.stringMatching(/cut short|impossible length/) })
    expect(cases.wrongKind).toMatchObject({ code: 'bad-code', error: expect.stringMatching(/another offer/) })
    expect(cases.answerForOffer).toMatchObject({ code: 'bad-code' })
  })
})
