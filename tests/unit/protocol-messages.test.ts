import { describe, expect, it } from 'vitest'
import {
  MAX_MESSAGE_BYTES, MESSAGE_CAPS, ProtocolEncodeError, REASON_CODES, describeReason, encodeMessage, parseMessage, reasonMessage, utf8ByteLength
} from '../../src/core/protocol/index.ts'
import type { Message } from '../../src/core/protocol/index.ts'
import { PAYEE, PAYEE_ID, makePayment, makeRequest, p2pkhHex } from './protocol-fixtures.ts'

const TXID = 'ab'.repeat(32)
const samples: Message[] = [
  { v: 1, type: 'hello', id: 'h1', identityKey: PAYEE_ID.toPublicKey().toString(), signature: '3044' + '11'.repeat(68) },
  makeRequest(),
  makePayment('0100beef' + '00'.repeat(20), { memo: 'thanks', refundTo: [{ script: p2pkhHex(PAYEE), satoshis: 0 }], refundKey: PAYEE_ID.toPublicKey().toString() }),
  { v: 1, type: 'ack', id: 'a1', paymentId: 'pay_0123456789abcdef', accepted: true, txid: TXID, broadcast: 'pending' },
  { v: 1, type: 'ack', id: 'a2', paymentId: 'pay_0123456789abcdef', accepted: false, reason: 'WRONG_AMOUNT', detail: 'paid 1 of 2' },
  { v: 1, type: 'receipt', id: 'r1', paymentId: 'pay_0123456789abcdef', txid: TXID, merklePath: 'fe00', blockHeight: 900_000 },
  { v: 1, type: 'ping', id: 'p1' },
  { v: 1, type: 'pong', id: 'p2', replyTo: 'p1' }
]

function errorOf (text: string) {
  const r = parseMessage(text)
  if (r.ok) throw new Error(`expected an error for ${text.slice(0, 80)}`)
  return r.error
}

describe('messages', () => {
  it('round-trips every message type through encode and parse', () => {
    for (const m of samples) {
      const r = parseMessage(encodeMessage(m))
      expect(r).toEqual({ ok: true, value: m })
    }
  })

  it('rejects text over the global cap before parsing it', () => {
    const huge = '{"v":1,"type":"payment","beef":"' + 'a'.repeat(MAX_MESSAGE_BYTES) + '"}'
    expect(errorOf(huge)).toMatchObject({ code: 'TOO_LARGE', reason: 'TOO_LARGE' })
    // Not even JSON: the size check still comes first.
    expect(errorOf('x'.repeat(MAX_MESSAGE_BYTES + 1)).code).toBe('TOO_LARGE')
    // Multi-byte characters count as bytes, not UTF-16 units.
    expect(utf8ByteLength('é€😀')).toBe(2 + 3 + 4)
    expect(errorOf('"' + '€'.repeat(MAX_MESSAGE_BYTES / 3 + 1) + '"').code).toBe('TOO_LARGE')
  })

  it('applies the smaller cap for non-payment messages', () => {
    const big = JSON.stringify({ ...makeRequest(), memo: 'x', padding: 'y'.repeat(MESSAGE_CAPS.request) })
    const e = errorOf(big)
    expect(e).toMatchObject({ code: 'TOO_LARGE', type: 'request', paymentId: 'pay_0123456789abcdef' })
    const bigPayment = JSON.stringify(makePayment('00'.repeat(100_000)))
    expect(parseMessage(bigPayment).ok).toBe(true)
  })

  it('reports malformed JSON, non-objects, missing or future versions and unknown types', () => {
    expect(errorOf('{not json').code).toBe('MALFORMED_JSON')
    expect(errorOf('[1,2]').code).toBe('MALFORMED_JSON')
    expect(errorOf('null').code).toBe('MALFORMED_JSON')
    expect(errorOf('{"type":"ping","id":"x"}').code).toBe('MALFORMED_JSON')
    expect(errorOf('{"v":2,"type":"ping","id":"x"}')).toMatchObject({ code: 'UNSUPPORTED_VERSION', reason: 'MALFORMED' })
    expect(errorOf('{"v":1,"type":"invoice","id":"x"}').code).toBe('UNKNOWN_TYPE')
    expect(errorOf('{"v":1,"type":"__proto__","id":"x"}').code).toBe('UNKNOWN_TYPE')
  })

  it('validates fields with a path and keeps the paymentId so a bad payment can be answered', () => {
    const bad = JSON.stringify(makePayment('0100BEEF00'.repeat(4)))
    expect(errorOf(bad)).toMatchObject({ code: 'INVALID_FIELD', path: 'beef', type: 'payment', paymentId: 'pay_0123456789abcdef', reason: 'MALFORMED' })
  })

  const invalid: Array<[string, Record<string, unknown>]> = [
    ['odd hex script', { outputs: [{ script: 'abc', satoshis: 1 }] }],
    ['uppercase hex script', { outputs: [{ script: 'AB', satoshis: 1 }] }],
    ['fractional satoshis', { outputs: [{ script: 'ab', satoshis: 1.5 }] }],
    ['negative satoshis', { outputs: [{ script: 'ab', satoshis: -1 }] }],
    ['more than 21e14 satoshis', { outputs: [{ script: 'ab', satoshis: 2_100_000_000_000_001 }] }],
    ['unsafe integer', { outputs: [{ script: 'ab', satoshis: 2 ** 60 }] }],
    ['satoshis as string', { outputs: [{ script: 'ab', satoshis: '5' }] }],
    ['no outputs', { outputs: [] }],
    ['too many outputs', { outputs: Array.from({ length: 17 }, () => ({ script: 'ab', satoshis: 1 })) }],
    ['zero total', { outputs: [{ script: '6a', satoshis: 0 }] }],
    ['memo over 200 chars', { memo: 'm'.repeat(201) }],
    ['unknown network', { network: 'bitcoin' }],
    ['expiry before creation', { expirationTimestamp: 5, creationTimestamp: 10 }],
    ['bad payee key', { payeeIdentityKey: '04' + 'ab'.repeat(32) }],
    ['short payment id', { paymentId: 'abc' }],
    ['payment id with spaces', { paymentId: 'pay 0123456789' }],
    ['bad message id', { id: '' }]
  ]
  for (const [name, patch] of invalid) {
    it(`rejects a request with ${name}`, () => {
      const e = errorOf(JSON.stringify({ ...makeRequest(), ...patch }))
      expect(e.code).toBe('INVALID_FIELD')
      expect(e.message.length).toBeGreaterThan(5)
    })
  }

  it('requires a reason on a rejected ack and a txid + status on an accepted one', () => {
    const base = { v: 1, type: 'ack', id: 'a', paymentId: 'pay_0123456789abcdef' }
    expect(errorOf(JSON.stringify({ ...base, accepted: false })).code).toBe('INVALID_FIELD')
    expect(errorOf(JSON.stringify({ ...base, accepted: false, reason: 'NOPE' })).code).toBe('INVALID_FIELD')
    expect(errorOf(JSON.stringify({ ...base, accepted: true, broadcast: 'pending' })).code).toBe('INVALID_FIELD')
    expect(errorOf(JSON.stringify({ ...base, accepted: true, txid: TXID })).code).toBe('INVALID_FIELD')
    expect(errorOf(JSON.stringify({ ...base, accepted: 'yes', txid: TXID, broadcast: 'pending' })).code).toBe('INVALID_FIELD')
  })

  it('drops unknown fields instead of passing them on', () => {
    const r = parseMessage(JSON.stringify({ v: 1, type: 'ping', id: 'p', extra: { deep: true } }))
    expect(r).toEqual({ ok: true, value: { v: 1, type: 'ping', id: 'p' } })
  })

  it('refuses to encode an invalid message', () => {
    expect(() => encodeMessage({ ...makeRequest(), memo: 'x'.repeat(300) })).toThrow(ProtocolEncodeError)
  })

  it('has a human message for every reason code', () => {
    for (const code of REASON_CODES) {
      const t = describeReason(code)
      expect(t.what.length).toBeGreaterThan(10)
      expect(t.todo.length).toBeGreaterThan(10)
      expect(reasonMessage(code)).toContain(t.todo)
    }
  })
})
