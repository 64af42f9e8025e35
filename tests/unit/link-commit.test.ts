// Commit before reveal in the link handshake: a man in the middle who shows its own
// invite (so the payer pins the attacker's key) and pairs separately with the payee
// tries to make both phones show the same six digits by choosing its values after
// seeing the honest ones. It gets one guess, never a grind.
import { createHash, randomBytes } from 'node:crypto'
import { PrivateKey } from '@bsv/sdk'
import { describe, expect, it } from 'vitest'
import {
  Handshake, LinkAuthError, sasFromDigest, sasPreimage, shortAuthString,
  type ChannelBinding, type HandshakeMsg, type HelloMsg
} from '../../src/core/link-auth/index.ts'

const keyP = PrivateKey.fromRandom() // payer, scans the attacker's invite: answerer on channel 1
const keyQ = PrivateKey.fromRandom() // payee, hosts its invite: offerer on channel 2
const keyM = PrivateKey.fromRandom() // the man in the middle
const pub = (k: PrivateKey): string => k.toPublicKey().toString()
const der = (k: PrivateKey): Uint8Array => Uint8Array.from(k.toPublicKey().toDER() as number[])
const nonce = (): Uint8Array => Uint8Array.from(randomBytes(32))
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
const relayBinding = (): ChannelBinding => ({ mode: 'relay', offerer: Uint8Array.from(randomBytes(33)), answerer: Uint8Array.from(randomBytes(33)) })
const hello = (msgs: HandshakeMsg[]): HelloMsg => { const m = msgs[0]; if (m?.k !== 'hello') throw new Error('expected a hello'); return m }

/** Grinds the offerer nonce of `inputs` until the SAS equals `target` (native SHA-256: what a real attacker would use). */
function grindOffererNonce (inputs: Parameters<typeof sasPreimage>[0], target: string, maxTries = 30_000_000): Uint8Array {
  const pre = Buffer.from(sasPreimage(inputs))
  const at = pre.indexOf(Buffer.from(inputs.offererNonce))
  for (let i = 0; i < maxTries; i++) {
    pre.writeUInt32BE(i, at)
    if (sasFromDigest(createHash('sha256').update(pre).digest()) === target) return Uint8Array.from(pre.subarray(at, at + 32))
  }
  throw new Error('grinding budget exhausted')
}

describe('link handshake, commit before reveal', () => {
  it('gives both honest phones the same six digits and each other\'s proven key', () => {
    const b = relayBinding()
    const o = new Handshake({ role: 'offerer', identity: keyQ, binding: b, nonce: nonce() })
    const a = new Handshake({ role: 'answerer', identity: keyP, binding: b, nonce: nonce(), expectedPeerKey: pub(keyQ) })
    expect(a.start()).toEqual([])
    const commit = o.start()
    expect(commit).toEqual([{ k: 'commit', v: 2, c: expect.stringMatching(/^[0-9a-f]{64}$/) }])
    const r1 = a.receive(commit[0]!)
    expect(r1.done).toBeUndefined()
    const r2 = o.receive(r1.send[0]!)
    const r3 = a.receive(r2.send[0]!)
    expect(r2.done?.peerKey).toBe(pub(keyP))
    expect(r3.done?.peerKey).toBe(pub(keyQ))
    expect(r2.done?.sas).toMatch(/^\d{3} \d{3}$/)
    expect(r3.done?.sas).toBe(r2.done?.sas)
  })

  it('never lets the attacker see the honest offerer\'s nonce before it has fixed its own', () => {
    const q = new Handshake({ role: 'offerer', identity: keyQ, binding: relayBinding(), nonce: nonce() })
    const sent = q.start()
    // The commitment is all the attacker holds; the nonce appears nowhere in it.
    expect(JSON.stringify(sent)).not.toMatch(/nonce/)
    // Pretending to be the committing side gets nothing out of the payee but a refusal.
    expect(() => q.receive({ k: 'commit', v: 2, c: '00'.repeat(32) })).toThrow(LinkAuthError)
  })

  it('refuses an attacker that reveals before committing, so it cannot learn the payer\'s nonce first', () => {
    const p = new Handshake({ role: 'answerer', identity: keyP, binding: relayBinding(), nonce: nonce(), expectedPeerKey: pub(keyM) })
    const fake = new Handshake({ role: 'answerer', identity: keyM, binding: relayBinding(), nonce: nonce() })
    const early = hello(fake.receive({ k: 'commit', v: 2, c: '11'.repeat(32) }).send)
    expect(() => p.receive(early)).toThrow(/revealed its key before committing/)
  })

  it('defeats a man in the middle who grinds its nonce after seeing both sides (one guess, not a million)', () => {
    const b1 = relayBinding() // attacker ↔ payer
    const b2 = relayBinding() // payee ↔ attacker
    const payer = new Handshake({ role: 'answerer', identity: keyP, binding: b1, nonce: nonce(), expectedPeerKey: pub(keyM) })
    const payee = new Handshake({ role: 'offerer', identity: keyQ, binding: b2, nonce: nonce() })

    // Channel 2 first, honestly, so the attacker knows the payee's digits exactly.
    const mAsAnswerer = new Handshake({ role: 'answerer', identity: keyM, binding: b2, nonce: nonce() })
    const payeeDone = payee.receive(hello(mAsAnswerer.receive(payee.start()[0]!).send))
    const mDone2 = mAsAnswerer.receive(payeeDone.send[0]!)
    const payeeSas = payeeDone.done!.sas
    expect(mDone2.done!.sas).toBe(payeeSas)

    // Channel 1: the attacker must commit before the payer reveals anything.
    const committed = nonce()
    const mAsOfferer = new Handshake({ role: 'offerer', identity: keyM, binding: b1, nonce: committed })
    const payerHello = hello(payer.receive(mAsOfferer.start()[0]!).send)
    const honestReveal = hello(mAsOfferer.receive(payerHello).send)

    // Now it grinds: with the payer's nonce in hand, a nonce that matches the payee's digits is ~1e6 hashes away.
    const inputs = { binding: b1, offererKey: der(keyM), answererKey: der(keyP), offererNonce: committed, answererNonce: unhex(payerHello.nonce) }
    const ground = grindOffererNonce(inputs, payeeSas)
    expect(shortAuthString({ ...inputs, offererNonce: ground })).toBe(payeeSas) // the grind works...
    // ...but the payer holds the commitment, so the ground nonce is refused.
    const forged: HelloMsg = { ...honestReveal, nonce: Buffer.from(ground).toString('hex') }
    const verdict = (() => { try { payer.receive(forged); return 'accepted' } catch (e) { return (e as LinkAuthError).code } })()
    expect(verdict).toBe('bad-commitment')
  }, 120_000)

  it('leaves a protocol-following attacker with chance only: 30 pairings, digits agree at most once', () => {
    let matches = 0
    for (let i = 0; i < 30; i++) {
      const b1 = relayBinding(); const b2 = relayBinding()
      const payer = new Handshake({ role: 'answerer', identity: keyP, binding: b1, nonce: nonce(), expectedPeerKey: pub(keyM) })
      const payee = new Handshake({ role: 'offerer', identity: keyQ, binding: b2, nonce: nonce() })
      // Attacker goes first on channel 1 this time, then tries to steer channel 2 toward its digits.
      const m1 = new Handshake({ role: 'offerer', identity: keyM, binding: b1, nonce: nonce() })
      const payerHello = hello(payer.receive(m1.start()[0]!).send)
      const m1Done = m1.receive(payerHello)
      const payerSas = payer.receive(m1Done.send[0]!).done!.sas
      // On channel 2 it answers the payee's commitment; the payee's nonce is hidden behind it, so any nonce is a guess.
      const commit = payee.start()[0]!
      const m2 = new Handshake({ role: 'answerer', identity: keyM, binding: b2, nonce: nonce() })
      const payeeSas = payee.receive(hello(m2.receive(commit).send)).done!.sas
      if (payeeSas === payerSas) matches++
    }
    expect(matches).toBeLessThanOrEqual(1)
  })
})
