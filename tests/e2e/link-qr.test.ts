import { createSocket, type Socket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { base45Encode, decodeSdpText, packSdp } from '../../src/core/sdp/index.ts'
import { stunServer } from './link-harness/stun-server.ts'
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
    expect(linkA.path).toBe('direct')
    expect(linkB.path).toBe('direct')
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
    expect(await b.page.evaluate(async () => await window.h.waitClose())).toMatchObject({ reason: 'peer-closed', message: 'The other phone closed the connection, saying: “Closed by the test.”' })
  })

  it('rejects a garbled, foreign or wrong-kind code with a message a person can act on', async () => {
    const page = phones[0]!.page
    const offerText = (await page.evaluate(async () => await window.h.qrOffer())).text
    // A real answer code, made by the other phone, to be refused where an offer belongs.
    const answer = await phones[1]!.page.evaluate(async (t) => await window.h.answerText(t), offerText)
    if ('error' in answer) throw new Error(answer.error)
    const cases = await page.evaluate(async ([offer, answerCode]: string[]) => ({
      garbled: await window.h.acceptAnswer('hello world'),
      foreign: await window.h.acceptAnswer('bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT'),
      truncated: await window.h.acceptAnswer(offer!.slice(0, 40)),
      wrongKind: await window.h.acceptAnswer(offer!),
      answerForOffer: await window.h.answerText(answerCode!)
    }), [offerText, answer.text])
    expect(cases.garbled).toMatchObject({ code: 'bad-code', error: expect.stringMatching(/not a Handover connection code/) })
    expect(cases.foreign).toMatchObject({ code: 'bad-code' })
    expect(cases.truncated).toMatchObject({ code: 'bad-code', error: expect.stringMatching(/cut short|impossible length/) })
    expect(cases.wrongKind).toMatchObject({ code: 'bad-code', error: expect.stringMatching(/another offer/) })
    expect(cases.answerForOffer).toMatchObject({ code: 'bad-code', error: expect.stringMatching(/This is an answer code/) })
  })

  it('caps ICE gathering when the STUN server never answers (Wi-Fi without internet)', async () => {
    // A UDP port that swallows every STUN request, like a captive or offline network.
    const sink: Socket = createSocket('udp4')
    await new Promise<void>(r => sink.bind(0, '127.0.0.1', () => r()))
    try {
      const port = sink.address().port
      const page = phones[0]!.page
      const offer = await page.evaluate(async (p) => await window.h.qrOffer({ iceServers: [{ urls: `stun:127.0.0.1:${p}` }] }), port)
      expect(offer.ms).toBeLessThan(4000)
      expect(offer.version).toBeLessThanOrEqual(6)
    } finally { sink.close() }
  })

  it('tells both people, within seconds, when their addresses cannot reach each other', async () => {
    // Each code is re-made to name an address where nothing answers, as when the two
    // phones sit behind two NATs that keep each other out: both phones have candidates,
    // no check ever gets a response.
    while (phones.length < 2) phones.push(await launchPhone(srv.url))
    const [a, b] = phones as [Phone, Phone]
    for (const p of phones) { await p.page.reload(); await p.page.waitForFunction(() => window.h !== undefined) }
    const unreachable = (text: string): string => {
      const c = decodeSdpText(text).compact
      return base45Encode(packSdp({ ...c, candidates: [{ type: 'host', address: '127.0.0.1', port: 9 }] }))
    }
    const offer = await a.page.evaluate(async () => await window.h.qrOffer())
    const ans = await b.page.evaluate(async (t) => await window.h.answerText(t), unreachable(offer.text))
    if ('error' in ans) throw new Error(ans.error)
    // the payer, showing its answer, is not left waiting in silence
    const notice = await b.page.evaluate(async () => await window.h.waitNotice(8000))
    expect(notice).toMatch(/cannot reach the other phone/)
    expect(notice).toMatch(/one Wi-Fi|hotspot/)
    // the payee, having scanned the answer, is told what happened and what to do
    const failed = await a.page.evaluate(async (t) => await window.h.acceptAnswer(t), unreachable(ans.text))
    expect(failed).toMatchObject({ code: 'ice-failed', error: expect.stringMatching(/cannot reach each other directly/) })
    expect((failed as { error: string }).error).toMatch(/hotspot/)
    expect((failed as { error: string }).error).not.toMatch(/Connection failed/)
  })

  it('waits for the server-reflexive address when a STUN server is configured, so the code reaches across NATs', async () => {
    // A real STUN server on this machine's own network address (Chromium gathers on
    // non-loopback interfaces): the offer must carry the srflx candidate it answers with,
    // not only the mDNS host name, and still fit a version-6 QR.
    const host = Object.values(networkInterfaces()).flat().find(i => i !== undefined && i.family === 'IPv4' && !i.internal)?.address
    if (host === undefined) return // no network interface at all: nothing to reflect
    const stun = await stunServer(host)
    try {
      // A phone that has not been allowed the camera yet hides its host address behind an
      // mDNS name (the payee showing its first code); Chromium then also reports the
      // reflexive address, which on this un-NATed machine equals the host address. (A
      // phone whose host address is plain drops a reflexive one that merely repeats it.)
      const fresh = await launchPhone(srv.url)
      phones.push(fresh)
      const page = fresh.page
      const offer = await page.evaluate(async (u) => await window.h.qrOffer({ iceServers: [{ urls: u }] }), `stun:${host}:${stun.port}`)
      expect(stun.requests).toBeGreaterThan(0)
      expect(offer.version).toBeLessThanOrEqual(6)
      const kinds = decodeSdpText(offer.text).compact.candidates.map(c => c.type)
      expect(kinds).toContain('host')
      expect(kinds).toContain('srflx')
      expect(offer.ms).toBeLessThan(3000)
    } finally { await stun.close() }
  })

  it('refuses oversized messages on both ends with a reason both people see', async () => {
    const [a, b] = phones as [Phone, Phone]
    for (const p of phones) { await p.page.reload(); await p.page.waitForFunction(() => window.h !== undefined) }
    const offer = await a.page.evaluate(async () => await window.h.qrOffer())
    const ans = await b.page.evaluate(async (t) => await window.h.answerText(t, { maxMessageBytes: 20_000 }), offer.text)
    if ('error' in ans) throw new Error(ans.error)
    const linked = await a.page.evaluate(async (t) => await window.h.acceptAnswer(t), ans.text)
    if ('error' in linked) throw new Error(linked.error)
    await b.page.evaluate(async () => await window.h.waitLink())
    // the sender's own cap (1 MiB by default)
    expect(await a.page.evaluate(async () => await window.h.trySend({ x: 'y'.repeat(2_000_000) })))
      .toMatchObject({ code: 'protocol', error: expect.stringMatching(/exceeds the 1048576-byte limit/) })
    // the receiver's smaller cap: it hangs up and says why
    await a.page.evaluate(async () => await window.h.trySend({ x: 'y'.repeat(50_000) }))
    expect(await b.page.evaluate(async () => await window.h.waitClose())).toMatchObject({ reason: 'protocol', message: expect.stringMatching(/20000-byte limit/) })
    expect(await a.page.evaluate(async () => await window.h.waitClose())).toMatchObject({ reason: 'peer-closed', message: expect.stringMatching(/sent something Handover cannot read/) })
  })
})
