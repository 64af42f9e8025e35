// The camera hand-over's encoding: protocol messages sealed with their sender's key,
// cut into BC-UR fountain parts, read back in any order with frames missing, and every
// forged or foreign code refused with a reason a person can act on.
import { describe, expect, it } from 'vitest'
import { Utils } from '@bsv/sdk'
import { CameraCodeError, openAck, openEnvelope, openPayment, openRequest, sealEnvelope } from '../../src/core/camera/envelope.ts'
import { animatedCode, CodeReader, singleCode, type ReadProgress } from '../../src/core/camera/ur-frames.ts'
import { rejectAck, type AckMessage } from '../../src/core/protocol/index.ts'
import { makeRequest, PAYER, PAYEE_ID, PAYMENT_ID, STRANGER, threeInputScenario } from './protocol-fixtures.ts'
import { oversizedParts, wrongChecksumParts } from './camera-hostile.ts'

/** Deterministic frame loss: drops frame i when the hash of (seed, i) says so. */
function lossy (seed: number, rate: number): (i: number) => boolean {
  return i => (((i + 1) * 2654435761 + seed * 40503) >>> 0) % 1000 < rate * 1000
}

function readAll (reader: CodeReader, texts: string[]): ReadProgress {
  let last: ReadProgress = { kind: 'ignored' }
  for (const t of texts) { last = reader.push(t); if (last.kind === 'done' || last.kind === 'refused') break }
  return last
}

describe('sealed envelopes', () => {
  it('a request opens as the same message, signed by the payee it names', () => {
    const req = makeRequest()
    const opened = openRequest(sealEnvelope(req, PAYEE_ID))
    expect(opened.message).toEqual(req)
    expect(opened.signer).toBe(PAYEE_ID.toPublicKey().toString())
  })

  it('a request signed by another key than the payee it names is refused', () => {
    expect(() => openRequest(sealEnvelope(makeRequest(), STRANGER))).toThrow(/signed by another key/)
  })

  it('a payment carries its BEEF as bytes and comes back as the same hex', async () => {
    const s = await threeInputScenario()
    const sealed = sealEnvelope(s.payment, PAYER)
    // Raw bytes, not hex: about half the hex BEEF plus a small header and signature.
    expect(sealed.length).toBeLessThan(s.payment.beef.length / 2 + 400)
    const opened = openPayment(sealed, PAYMENT_ID)
    expect(opened.message).toEqual(s.payment)
    expect(opened.signer).toBe(PAYER.toPublicKey().toString())
  })

  it('a payment for another request is refused, naming why', async () => {
    const s = await threeInputScenario()
    const other = sealEnvelope({ ...s.payment, paymentId: 'another_request_01' }, PAYER)
    expect(() => openPayment(other, PAYMENT_ID)).toThrow(/another request/)
  })

  it('an ack counts only when signed by the payee the request named, for our payment', () => {
    const ack: AckMessage = { v: 1, type: 'ack', id: 'ack:1', paymentId: PAYMENT_ID, accepted: true, txid: 'ab'.repeat(32), broadcast: 'queued' }
    const payee = PAYEE_ID.toPublicKey().toString()
    expect(openAck(sealEnvelope(ack, PAYEE_ID), PAYMENT_ID, payee).message).toEqual(ack)
    expect(() => openAck(sealEnvelope(ack, STRANGER), PAYMENT_ID, payee)).toThrow(/not signed by the payee/)
    expect(() => openAck(sealEnvelope({ ...ack, paymentId: 'someone_elses_pay' }, PAYEE_ID), PAYMENT_ID, payee)).toThrow(/another payment/)
    expect(() => openAck(sealEnvelope(makeRequest(), PAYEE_ID), PAYMENT_ID, payee)).toThrow(/not the payee's answer/)
    expect(openAck(sealEnvelope(rejectAck(PAYMENT_ID, 'INSUFFICIENT_FEE'), PAYEE_ID), PAYMENT_ID, payee).message.accepted).toBe(false)
  })

  it('one flipped bit anywhere in the signed part breaks the signature', async () => {
    const s = await threeInputScenario()
    const sealed = sealEnvelope(s.payment, PAYER)
    // A bit inside the BEEF (amounts, scripts): still parses, but the signature fails.
    const at = 200
    const bad = Uint8Array.from(sealed); bad[at] = bad[at]! ^ 1
    expect(() => openEnvelope(bad)).toThrow(CameraCodeError)
  })

  it('refuses what is not ours, damaged or oversized before reading it', () => {
    expect(() => openEnvelope(Uint8Array.from(Utils.toArray('hello world, not a payment at all', 'utf8')))).toThrow(/not a Handover payment code/)
    const big = new Uint8Array(200 * 1024); big.set([0x48, 0x4f, 0x43, 0x01])
    expect(() => openEnvelope(big)).toThrow(/at most/)
    const sealed = sealEnvelope(makeRequest(), PAYEE_ID)
    expect(() => openEnvelope(sealed.subarray(0, sealed.length - 10))).toThrow(/damaged/)
  })

  it('will not show a message our own parser would refuse', () => {
    expect(() => sealEnvelope(makeRequest({ outputs: [] }), PAYEE_ID)).toThrow(/invalid request/)
  })
})

describe('BC-UR frames', () => {
  it('a request is one static upper-case code that reads back in one scan', () => {
    const sealed = sealEnvelope(makeRequest(), PAYEE_ID)
    const text = singleCode(sealed)
    expect(text).toMatch(/^UR:BYTES\/[A-Z]+$/)
    const r = new CodeReader().push(text)
    expect(r.kind).toBe('done')
    expect(openRequest((r as { bytes: Uint8Array }).bytes).message.paymentId).toBe(PAYMENT_ID)
  })

  it('a 3-input payment reassembles from a stream started mid-way with 20% of frames lost', async () => {
    const s = await threeInputScenario()
    const sealed = sealEnvelope(s.payment, PAYER)
    const src = animatedCode(sealed)
    expect(src.fragments).toBeGreaterThan(3)
    const shown = Array.from({ length: src.fragments * 4 }, () => src.next()).slice(src.fragments - 2)
    const drop = lossy(7, 0.2)
    const seen = shown.filter((_, i) => !drop(i))
    const reader = new CodeReader()
    const progress: ReadProgress[] = []
    let done: Uint8Array | undefined
    for (const t of seen) {
      const p = reader.push(t)
      progress.push(p)
      if (p.kind === 'done') { done = p.bytes; break }
    }
    expect(done).toBeDefined()
    expect(openPayment(done!, PAYMENT_ID).message.beef).toBe(s.payment.beef)
    // The receiving screen can say "n of ~m parts" while it reads.
    const mid = progress.find(p => p.kind === 'progress')
    expect(mid).toMatchObject({ kind: 'progress', expected: src.fragments })
  })

  it('a misread frame is skipped and counted, not fatal', async () => {
    const s = await threeInputScenario()
    const src = animatedCode(sealEnvelope(s.payment, PAYER))
    const texts = Array.from({ length: src.fragments * 3 }, () => src.next())
    const reader = new CodeReader()
    // Change one letter of one part: its bytewords CRC32 no longer matches.
    const t0 = texts[0]!
    const flipped = t0.slice(0, -3) + (t0.at(-3) === 'A' ? 'E' : 'A') + t0.slice(-2)
    expect(reader.push(flipped)).toMatchObject({ kind: 'damaged', damaged: 1 })
    expect(readAll(reader, texts.slice(1)).kind).toBe('done')
  })

  it('parts whose message checksum is wrong are refused once they add up', async () => {
    const s = await threeInputScenario()
    const r = readAll(new CodeReader(), wrongChecksumParts(sealEnvelope(s.payment, PAYER), 60))
    expect(r).toMatchObject({ kind: 'refused' })
    expect((r as { reason: string }).reason).toMatch(/checksum/)
  })

  it('a code announcing more bytes than any payment is refused at its first part', async () => {
    const s = await threeInputScenario()
    const parts = oversizedParts(sealEnvelope(s.payment, PAYER), 50_000_000, 3)
    const reader = new CodeReader()
    const r = reader.push(parts[0]!)
    expect(r).toMatchObject({ kind: 'refused' })
    expect((r as { reason: string }).reason).toMatch(/50000000 bytes.*at most/)
  })

  it('a code claiming a million parts is refused without building them', () => {
    const r = new CodeReader().push('UR:BYTES/1-1000000/LPADBDCFATTECYDWNTFDGHHD')
    expect(r).toMatchObject({ kind: 'refused' })
    expect((r as { reason: string }).reason).toMatch(/1000000 parts/)
  })

  it('another app\'s UR and plain QR texts are told apart', () => {
    expect(new CodeReader().push('UR:CRYPTO-PSBT/HDCXLKAHSSQZWFVSLOFZOXWKRE')).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/another app/) })
    expect(new CodeReader().push('https://example.com/')).toEqual({ kind: 'ignored' })
  })
})
