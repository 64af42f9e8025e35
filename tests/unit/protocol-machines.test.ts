import { describe, expect, it } from 'vitest'
import {
  classifyArc, payeeReduce, payeeStart, payerReduce, payerStart, retryDelaySec, verifyPayment
} from '../../src/core/protocol/index.ts'
import type {
  AckMessage, PayeeEffect, PayeeEvent, PayeeState, PayeeTransition, PayerEffect, PayerEvent, PayerState, PayerTransition
} from '../../src/core/protocol/index.ts'
import { NOW, PAYMENT_ID, makeRequest, threeInputScenario } from './protocol-fixtures.ts'

const TXID = 'ab'.repeat(32)
const BEEF = '0100beef' + '00'.repeat(30)
const kinds = (effects: ReadonlyArray<{ kind: string }>): string[] => effects.map(e => e.kind)
const roundTrip = <T>(s: T): T => JSON.parse(JSON.stringify(s)) as T
const acceptedAck = (txid = TXID): AckMessage => ({ v: 1, type: 'ack', id: 'a', paymentId: PAYMENT_ID, accepted: true, txid, broadcast: 'pending' })
const rejectedAck = (): AckMessage => ({ v: 1, type: 'ack', id: 'a', paymentId: PAYMENT_ID, accepted: false, reason: 'WRONG_AMOUNT' })

function payer (events: PayerEvent[], start = payerStart(makeRequest(), { network: 'devnet', nowSec: NOW })): PayerTransition {
  let t = start
  for (const e of events) {
    t = payerReduce(roundTrip(t.state), e) // every step must survive being stored as JSON
  }
  return t
}

const toSigned: PayerEvent[] = [{ type: 'confirm', nowSec: NOW }, { type: 'signed', txid: TXID, beef: BEEF }]
const toHandedOver: PayerEvent[] = [...toSigned, { type: 'sent', nowSec: NOW + 1 }]

describe('payer machine', () => {
  it('start: shows a valid request; refuses wrong network and expired ones', () => {
    const ok = payerStart(makeRequest(), { network: 'devnet', nowSec: NOW })
    expect(ok.state.phase).toBe('requested')
    expect(kinds(ok.effects)).toEqual(['persist', 'showRequest'])
    const net = payerStart(makeRequest(), { network: 'mainnet', nowSec: NOW })
    expect(net.state.phase).toBe('cancelled')
    expect(net.effects).toContainEqual(expect.objectContaining({ kind: 'showError', code: 'WRONG_NETWORK' }))
    const old = payerStart(makeRequest(), { network: 'devnet', nowSec: NOW + 601 })
    expect(old.effects).toContainEqual(expect.objectContaining({ kind: 'showError', code: 'EXPIRED' }))
  })

  it('confirm → confirmed asks the wallet to build and sign; not after expiry', () => {
    const t = payer([{ type: 'confirm', nowSec: NOW }])
    expect(t.state.phase).toBe('confirmed')
    expect(kinds(t.effects)).toEqual(['persist', 'buildAndSign'])
    expect(payer([{ type: 'confirm', nowSec: NOW + 601 }]).state.phase).toBe('cancelled')
  })

  it('signed: persists the tx and marks coins spent BEFORE sending', () => {
    const t = payer(toSigned)
    expect(t.state.phase).toBe('signed')
    expect(kinds(t.effects)).toEqual(['persist', 'send'])
    const [persist, send] = t.effects as [Extract<PayerEffect, { kind: 'persist' }>, Extract<PayerEffect, { kind: 'send' }>]
    expect(persist.coins).toEqual({ op: 'markSpent', txid: TXID })
    expect(persist.state.payment).toEqual(send.message)
    expect(send.message).toMatchObject({ type: 'payment', paymentId: PAYMENT_ID, beef: BEEF })
  })

  it('signFailed and cancel end the session before anything is spent', () => {
    const f = payer([{ type: 'confirm', nowSec: NOW }, { type: 'signFailed', code: 'INSUFFICIENT_FUNDS' }])
    expect(f.state.phase).toBe('cancelled')
    expect(f.effects).toContainEqual(expect.objectContaining({ kind: 'showError', code: 'INSUFFICIENT_FUNDS' }))
    expect(f.effects.some(e => e.kind === 'persist' && e.coins !== undefined)).toBe(false)
    expect(payer([{ type: 'cancel' }]).state.phase).toBe('cancelled')
    expect(payer([{ type: 'confirm', nowSec: NOW }, { type: 'cancel' }]).state.phase).toBe('cancelled')
  })

  it('cannot be cancelled once signed: the payment may already be with the payee', () => {
    const t = payer([...toSigned, { type: 'cancel' }])
    expect(t.state.phase).toBe('signed')
    expect(t.effects).toEqual([])
  })

  it('sent → handedOver with an ack deadline timer', () => {
    const t = payer(toHandedOver)
    expect(t.state.phase).toBe('handedOver')
    expect(t.state.ackDeadlineSec).toBe(NOW + 1 + 30)
    expect(t.effects).toEqual([{ kind: 'persist', state: t.state }, { kind: 'startTimer', timer: 'ack', atSec: NOW + 31 }])
  })

  it('ack accepted → acked and watches the chain; a duplicate ack changes nothing', () => {
    const t = payer([...toHandedOver, { type: 'ack', message: acceptedAck() }])
    expect(t.state.phase).toBe('acked')
    expect(kinds(t.effects)).toEqual(['persist', 'watch'])
    const again = payerReduce(t.state, { type: 'ack', message: acceptedAck() })
    expect(again.state).toBe(t.state)
    expect(again.effects).toEqual([])
  })

  it('an ack arriving before the sent event still counts', () => {
    expect(payer([...toSigned, { type: 'ack', message: acceptedAck() }]).state.phase).toBe('acked')
  })

  it('an accepted ack naming another txid is a protocol violation, not a payment', () => {
    const t = payer([...toHandedOver, { type: 'ack', message: acceptedAck('cd'.repeat(32)) }])
    expect(t.state.phase).toBe('handedOver')
    expect(t.effects).toContainEqual(expect.objectContaining({ kind: 'showError', code: 'PROTOCOL_VIOLATION' }))
    // Acks for other payments are ignored.
    const other = payer([...toHandedOver, { type: 'ack', message: { ...acceptedAck(), paymentId: 'other-payment' } }])
    expect(other.effects).toEqual([])
  })

  it('ack rejected → rejected, holds the coins (the payee keeps the signed tx), says why and watches the txid', () => {
    const t = payer([...toHandedOver, { type: 'ack', message: rejectedAck() }])
    expect(t.state.phase).toBe('rejected')
    expect(t.effects[0]).toMatchObject({ kind: 'persist', coins: { op: 'hold', txid: TXID } })
    expect(t.effects[1]).toMatchObject({ kind: 'showError', code: 'WRONG_AMOUNT', message: expect.stringMatching(/do not pay again/) })
    // The payee-facing text ("No money has moved… let them pay again") is what a hostile payee wants the payer to read.
    expect((t.effects[1] as { message: string }).message).not.toMatch(/No money has moved/)
    expect(t.effects[2]).toEqual({ kind: 'watch', txid: TXID })
    // The payee broadcast it after all: the payer paid, and never signs a second one.
    const paid = payerReduce(t.state, { type: 'status', status: 'mined', blockHeight: 7 })
    expect(paid.state).toMatchObject({ phase: 'mined', blockHeight: 7, ack: { accepted: false } })
    expect(payerReduce(t.state, { type: 'confirm', nowSec: NOW + 40 }).effects).toEqual([])
  })

  it('no ack before the deadline → selfBroadcast with the same tx', () => {
    const t = payer([...toHandedOver, { type: 'timer', timer: 'ack', nowSec: NOW + 31 }])
    expect(t.state.phase).toBe('selfBroadcast')
    expect(t.effects).toEqual([{ kind: 'persist', state: t.state }, { kind: 'broadcast', txid: TXID, beef: BEEF }])
    // The user can also choose to broadcast at once.
    expect(payer([...toHandedOver, { type: 'broadcastNow', nowSec: NOW + 2 }]).state.phase).toBe('selfBroadcast')
  })

  it('selfBroadcast: accepted → broadcast, mined → mined; a late ack is recorded only', () => {
    const sb = [...toHandedOver, { type: 'timer', timer: 'ack', nowSec: NOW + 31 } as const]
    const b = payer([...sb, { type: 'broadcastResult', outcome: { kind: 'accepted', status: 'sent' }, nowSec: NOW + 32 }])
    expect(b.state.phase).toBe('broadcast')
    expect(kinds(b.effects)).toEqual(['persist', 'watch'])
    const m = payer([...sb, { type: 'broadcastResult', outcome: { kind: 'accepted', status: 'mined', blockHeight: 7 }, nowSec: NOW + 32 }])
    expect(m.state).toMatchObject({ phase: 'mined', blockHeight: 7 })
    const late = payer([...sb, { type: 'ack', message: rejectedAck() }])
    expect(late.state.phase).toBe('selfBroadcast')
    expect(late.state.ack).toEqual(rejectedAck())
  })

  it('selfBroadcast: a transient failure retries later with backoff', () => {
    const sb = [...toHandedOver, { type: 'timer', timer: 'ack', nowSec: NOW + 31 } as const]
    const t = payer([...sb, { type: 'broadcastResult', outcome: { kind: 'retry', detail: 'offline' }, nowSec: NOW + 32 }])
    expect(t.state.phase).toBe('selfBroadcast')
    expect(t.effects).toEqual([{ kind: 'startTimer', timer: 'retry', atSec: NOW + 32 + retryDelaySec(1) }])
    const again = payerReduce(t.state, { type: 'timer', timer: 'retry', nowSec: NOW + 40 })
    expect(kinds(again.effects)).toEqual(['persist', 'broadcast'])
    expect(again.state.broadcastAttempts).toBe(2)
  })

  it('rejected broadcast: 466 flags the coins, other refusals release them', () => {
    const sb = [...toHandedOver, { type: 'timer', timer: 'ack', nowSec: NOW + 31 } as const]
    const ds = payer([...sb, { type: 'broadcastResult', outcome: classifyArc({ httpStatus: 466 }), nowSec: NOW + 32 }])
    expect(ds.state.phase).toBe('failed')
    expect(ds.effects[0]).toMatchObject({ kind: 'persist', coins: { op: 'flag', txid: TXID } })
    expect(ds.effects[1]).toMatchObject({ kind: 'showError', code: 'DOUBLE_SPEND' })
    for (const code of [461, 465]) {
      const r = payer([...sb, { type: 'broadcastResult', outcome: classifyArc({ httpStatus: code }), nowSec: NOW + 32 }])
      expect(r.state.phase).toBe('failed')
      expect(r.effects[0]).toMatchObject({ kind: 'persist', coins: { op: 'release', txid: TXID } })
    }
  })

  it('acked → broadcast → mined from chain status and from a receipt', () => {
    const acked = [...toHandedOver, { type: 'ack', message: acceptedAck() } as const]
    const seen = payer([...acked, { type: 'status', status: 'seen' }])
    expect(seen.state.phase).toBe('broadcast')
    expect(payer([...acked, { type: 'status', status: 'seen' }, { type: 'status', status: 'mined', blockHeight: 9 }]).state).toMatchObject({ phase: 'mined', blockHeight: 9 })
    const receipt = { v: 1 as const, type: 'receipt' as const, id: 'r', paymentId: PAYMENT_ID, txid: TXID, merklePath: 'fe00', blockHeight: 11 }
    expect(payer([...acked, { type: 'receipt', message: receipt }]).state).toMatchObject({ phase: 'mined', blockHeight: 11 })
    expect(payer([...acked, { type: 'receipt', message: { ...receipt, txid: 'cd'.repeat(32) } }]).state.phase).toBe('acked')
    // If the payee never broadcasts, the payer can.
    expect(payer([...acked, { type: 'broadcastNow', nowSec: NOW + 3600 }]).state.phase).toBe('selfBroadcast')
  })

  it('ignores events that do not belong to the phase', () => {
    const start = payerStart(makeRequest(), { network: 'devnet', nowSec: NOW })
    for (const e of [
      { type: 'signed', txid: TXID, beef: BEEF }, { type: 'sent', nowSec: NOW }, { type: 'ack', message: acceptedAck() },
      { type: 'timer', timer: 'ack', nowSec: NOW }, { type: 'broadcastResult', outcome: { kind: 'accepted', status: 'sent' }, nowSec: NOW },
      { type: 'status', status: 'mined' }, { type: 'broadcastNow', nowSec: NOW }
    ] as PayerEvent[]) {
      const t = payerReduce(start.state, e)
      expect(t.state, e.type).toBe(start.state)
      expect(t.effects).toEqual([])
    }
  })

  describe('resume after reload', () => {
    const at = (events: PayerEvent[], nowSec: number): PayerTransition => payerReduce(roundTrip(payer(events).state), { type: 'resume', nowSec })

    it('requested: shows the request again, or cancels when it has expired', () => {
      expect(kinds(at([], NOW).effects)).toEqual(['showRequest'])
      expect(at([], NOW + 601).state.phase).toBe('cancelled')
    })

    it('confirmed: builds and signs again (nothing durable happened yet)', () => {
      expect(kinds(at([{ type: 'confirm', nowSec: NOW }], NOW + 5).effects)).toEqual(['buildAndSign'])
    })

    it('signed: re-sends the SAME payment, never re-signs', () => {
      const before = payer(toSigned)
      const t = at(toSigned, NOW + 5)
      expect(t.state.phase).toBe('signed')
      expect(kinds(t.effects)).toEqual(['send', 'startTimer'])
      expect(t.effects[0]).toEqual({ kind: 'send', message: before.state.payment })
      expect(t.effects.some(e => e.kind === 'buildAndSign')).toBe(false)
    })

    it('handedOver: re-sends and keeps the original deadline; past it, broadcasts itself', () => {
      const t = at(toHandedOver, NOW + 10)
      expect(t.effects).toContainEqual({ kind: 'startTimer', timer: 'ack', atSec: NOW + 31 })
      expect(at(toHandedOver, NOW + 31).state.phase).toBe('selfBroadcast')
    })

    it('selfBroadcast: broadcasts again (idempotent at the miner)', () => {
      expect(kinds(at([...toHandedOver, { type: 'timer', timer: 'ack', nowSec: NOW + 31 }], NOW + 100).effects)).toEqual(['persist', 'broadcast'])
    })

    it('acked and broadcast: keep watching; terminal phases do nothing', () => {
      expect(at([...toHandedOver, { type: 'ack', message: acceptedAck() }], NOW + 100).effects).toEqual([{ kind: 'watch', txid: TXID }])
      // A refused payment is still watched: the payee holds it signed and may broadcast it.
      expect(at([...toHandedOver, { type: 'ack', message: rejectedAck() }], NOW + 100).effects).toEqual([{ kind: 'watch', txid: TXID }])
      expect(at([{ type: 'cancel' }], NOW + 100).effects).toEqual([])
    })
  })
})

// ---------------------------------------------------------------------------------

function payee (events: PayeeEvent[], start: PayeeTransition = payeeStart(makeRequest())): PayeeTransition {
  let t = start
  for (const e of events) t = payeeReduce(roundTrip(t.state), e)
  return t
}

const PAYMENT = { v: 1 as const, type: 'payment' as const, id: 'p', paymentId: PAYMENT_ID, beef: BEEF }
const ACCEPTED = {
  kind: 'accepted' as const, paymentId: PAYMENT_ID, txid: TXID, rawTx: '', efHex: '', receivedSatoshis: 12_345, requestedSatoshis: 12_345,
  outputIndexes: [0], fee: 30, requiredFee: 23, sizeBytes: 226, proofs: 'unchecked' as const, unprovenAncestors: 0
}
const REJECTED = { kind: 'rejected' as const, paymentId: PAYMENT_ID, reason: 'WRONG_AMOUNT' as const, message: 'less', detail: 'paid 1', txid: TXID }
const toVerified: PayeeEvent[] = [{ type: 'payment', message: PAYMENT }, { type: 'verified', payment: PAYMENT, result: ACCEPTED }]
const toAcked: PayeeEvent[] = [...toVerified, { type: 'persisted' }]

describe('payee machine', () => {
  it('start: persists the session, then sends the request', () => {
    const t = payeeStart(makeRequest())
    expect(t.state.phase).toBe('requestSent')
    expect(kinds(t.effects)).toEqual(['persist', 'send'])
  })

  it('payment → paymentReceived asks for verification', () => {
    const t = payee([{ type: 'payment', message: PAYMENT }])
    expect(t.state.phase).toBe('paymentReceived')
    expect(t.effects).toEqual([{ kind: 'verify', payment: PAYMENT }])
  })

  it('a payment for another request is answered UNKNOWN_REQUEST without touching the session', () => {
    const t = payee([{ type: 'payment', message: { ...PAYMENT, paymentId: 'other-payment' } }])
    expect(t.state.phase).toBe('requestSent')
    expect(t.effects[0]).toMatchObject({ kind: 'send', message: { accepted: false, reason: 'UNKNOWN_REQUEST' } })
  })

  it('verified(accepted) → verified: stores payment + outbox; no ack yet', () => {
    const t = payee(toVerified)
    expect(t.state.phase).toBe('verified')
    expect(t.effects).toEqual([{
      kind: 'persist', state: t.state, record: { op: 'storeIncoming', txid: TXID, beef: BEEF, satoshis: 12_345, proofs: 'unchecked' }
    }])
  })

  it('persisted → acked: sends the ack, then broadcasts (ack never precedes the durable write)', () => {
    const t = payee(toAcked)
    expect(t.state.phase).toBe('acked')
    expect(kinds(t.effects)).toEqual(['send', 'persist', 'broadcast'])
    expect(t.effects[0]).toMatchObject({ kind: 'send', message: { type: 'ack', accepted: true, txid: TXID, broadcast: 'pending' } })
    expect(t.effects[2]).toEqual({ kind: 'broadcast', txid: TXID, beef: BEEF })
  })

  it('verified(rejected) → rejected: persists, sends the rejection, shows it; wallet untouched', () => {
    const t = payee([{ type: 'payment', message: PAYMENT }, { type: 'verified', payment: PAYMENT, result: REJECTED }])
    expect(t.state.phase).toBe('rejected')
    expect(kinds(t.effects)).toEqual(['persist', 'send', 'showError'])
    expect(t.effects.some(e => e.kind === 'persist' && e.record !== undefined)).toBe(false)
    expect(t.effects[1]).toMatchObject({ message: { accepted: false, reason: 'WRONG_AMOUNT', txid: TXID } })
  })

  it('a duplicate payment in acked re-emits the same ack; another tx for the paid request gets DUPLICATE', () => {
    const acked = payee(toAcked)
    const firstAck = (acked.effects[0] as Extract<PayeeEffect, { kind: 'send' }>).message
    const dup = payeeReduce(acked.state, { type: 'payment', message: PAYMENT })
    expect(dup.state).toBe(acked.state)
    expect(dup.effects).toEqual([{ kind: 'send', message: firstAck }])
    const other = payeeReduce(acked.state, { type: 'payment', message: { ...PAYMENT, beef: BEEF + '00' } })
    expect(other.effects[0]).toMatchObject({ message: { accepted: false, reason: 'DUPLICATE', txid: TXID } })
  })

  it('a duplicate while verifying is ignored; after a rejection the same payment gets the same answer, a new one is verified', () => {
    expect(payee([{ type: 'payment', message: PAYMENT }, { type: 'payment', message: PAYMENT }]).effects).toEqual([])
    const rejected = payee([{ type: 'payment', message: PAYMENT }, { type: 'verified', payment: PAYMENT, result: REJECTED }])
    const again = payeeReduce(rejected.state, { type: 'payment', message: PAYMENT })
    expect(again.effects).toEqual([{ kind: 'send', message: rejected.state.ack }])
    const fixed = payeeReduce(rejected.state, { type: 'payment', message: { ...PAYMENT, beef: BEEF + '11' } })
    expect(fixed.state.phase).toBe('paymentReceived')
  })

  it('the same payment refused only because the chain could not be asked (PROOFS_UNAVAILABLE) is checked again when resent', () => {
    const busy = { ...REJECTED, reason: 'PROOFS_UNAVAILABLE' as const, detail: 'HTTP 429' }
    const refused = payee([{ type: 'payment', message: PAYMENT }, { type: 'verified', payment: PAYMENT, result: busy }])
    expect(refused.state.phase).toBe('rejected')
    const again = payeeReduce(refused.state, { type: 'payment', message: PAYMENT })
    expect(again.state.phase).toBe('paymentReceived')
    expect(again.effects).toEqual([{ kind: 'verify', payment: PAYMENT }])
  })

  it('verified(duplicate) repeats the prior decision from the ledger', () => {
    const t = payee([{ type: 'payment', message: PAYMENT }, {
      type: 'verified', payment: PAYMENT, result: { kind: 'duplicate', paymentId: PAYMENT_ID, txid: TXID, prior: { paymentId: PAYMENT_ID, accepted: true, txid: TXID } }
    }])
    expect(t.effects[0]).toMatchObject({ kind: 'send', message: { accepted: true, txid: TXID } })
  })

  it('broadcast outcomes: sent → broadcast, seen → seen, mined → mined, retry → queued, rejected → failed', () => {
    const at = (outcome: Parameters<typeof classifyArc>[0]): PayeeTransition =>
      payee([...toAcked, { type: 'broadcastResult', outcome: classifyArc(outcome), nowSec: NOW }])
    expect(at({ httpStatus: 200, txStatus: 'STORED' }).state.phase).toBe('broadcast')
    expect(at({ httpStatus: 200, txStatus: 'SEEN_ON_NETWORK' }).state.phase).toBe('seen')
    expect(at({ httpStatus: 200, txStatus: 'MINED', blockHeight: 5 }).state).toMatchObject({ phase: 'mined', blockHeight: 5 })
    const q = at({})
    expect(q.state.phase).toBe('queued')
    expect(q.effects[1]).toEqual({ kind: 'startTimer', timer: 'retry', atSec: NOW + retryDelaySec(1) })
    const f = at({ httpStatus: 466 })
    expect(f.state.phase).toBe('failed')
    expect(f.effects[0]).toMatchObject({ kind: 'persist', record: { op: 'markFailed', txid: TXID, reason: 'DOUBLE_SPEND' } })
    expect(f.effects[1]).toMatchObject({ kind: 'showError', code: 'DOUBLE_SPEND' })
  })

  it('queued retries on its timer; the ack resent later reports the fresher broadcast status', () => {
    const q = payee([...toAcked, { type: 'broadcastResult', outcome: { kind: 'retry', detail: 'offline' }, nowSec: NOW }])
    const r = payeeReduce(q.state, { type: 'timer', timer: 'retry', nowSec: NOW + 5 })
    expect(kinds(r.effects)).toEqual(['persist', 'broadcast'])
    const dup = payeeReduce(q.state, { type: 'payment', message: PAYMENT })
    expect(dup.effects[0]).toMatchObject({ message: { accepted: true, broadcast: 'queued' } })
  })

  it('status seen/mined advances and sends a receipt with the merkle path', () => {
    const b = [...toAcked, { type: 'broadcastResult', outcome: { kind: 'accepted', status: 'sent' }, nowSec: NOW } as const]
    expect(payee([...b, { type: 'status', status: 'seen' }]).state.phase).toBe('seen')
    const m = payee([...b, { type: 'status', status: 'seen' }, { type: 'status', status: 'mined', blockHeight: 9, merklePath: 'fe00' }])
    expect(m.state.phase).toBe('mined')
    expect(m.effects[0]).toMatchObject({ kind: 'persist', record: { op: 'markMined', txid: TXID, blockHeight: 9 } })
    expect(m.effects[1]).toMatchObject({ kind: 'send', message: { type: 'receipt', txid: TXID, merklePath: 'fe00', blockHeight: 9 } })
  })

  it('an unpaid request expires on tick; late payments get EXPIRED; cancel ends it', () => {
    expect(payee([{ type: 'tick', nowSec: NOW + 600 }]).state.phase).toBe('requestSent')
    const e = payee([{ type: 'tick', nowSec: NOW + 601 }])
    expect(e.state.phase).toBe('expired')
    expect(payeeReduce(e.state, { type: 'payment', message: PAYMENT }).effects[0]).toMatchObject({ message: { reason: 'EXPIRED' } })
    expect(payee([{ type: 'cancel' }]).state.phase).toBe('cancelled')
    expect(payee([...toAcked, { type: 'cancel' }]).state.phase).toBe('acked')
  })

  describe('resume after reload', () => {
    const at = (events: PayeeEvent[], nowSec = NOW + 5): PayeeTransition => payeeReduce(roundTrip(payee(events).state), { type: 'resume', nowSec })

    it('requestSent: re-sends the request, or expires', () => {
      expect(kinds(at([]).effects)).toEqual(['send'])
      expect(at([], NOW + 601).state.phase).toBe('expired')
    })

    it('paymentReceived: forgets the unstored verdict and waits for the resend', () => {
      const t = at([{ type: 'payment', message: PAYMENT }])
      expect(t.state.phase).toBe('requestSent')
      expect(payeeReduce(t.state, { type: 'payment', message: PAYMENT }).effects[0]?.kind).toBe('verify')
    })

    it('verified (payment stored): sends the ack and broadcasts', () => {
      const t = at(toVerified)
      expect(t.state.phase).toBe('acked')
      expect(kinds(t.effects)).toEqual(['send', 'persist', 'broadcast'])
    })

    it('acked: re-sends the ack and broadcasts again (both idempotent)', () => {
      expect(kinds(at(toAcked).effects)).toEqual(['send', 'persist', 'broadcast'])
    })

    it('queued: broadcasts; broadcast/seen: watch; terminal: nothing', () => {
      expect(kinds(at([...toAcked, { type: 'broadcastResult', outcome: { kind: 'retry', detail: '' }, nowSec: NOW }]).effects)).toEqual(['persist', 'broadcast'])
      expect(at([...toAcked, { type: 'broadcastResult', outcome: { kind: 'accepted', status: 'sent' }, nowSec: NOW }]).effects).toEqual([{ kind: 'watch', txid: TXID }])
      expect(at([...toAcked, { type: 'broadcastResult', outcome: { kind: 'rejected', reason: 'DOUBLE_SPEND', doubleSpend: true, detail: '' }, nowSec: NOW }]).effects).toEqual([])
    })
  })
})

describe('classifyArc', () => {
  it('maps ARC answers to retry / accepted / rejected', () => {
    expect(classifyArc({}).kind).toBe('retry')
    expect(classifyArc({ httpStatus: 503 }).kind).toBe('retry')
    expect(classifyArc({ httpStatus: 429 }).kind).toBe('retry')
    // Not final: both can still end MINED, so the session keeps watching (coins stay reserved).
    expect(classifyArc({ httpStatus: 200, txStatus: 'SEEN_IN_ORPHAN_MEMPOOL' })).toMatchObject({ kind: 'accepted', status: 'sent' })
    expect(classifyArc({ httpStatus: 200, txStatus: 'DOUBLE_SPEND_ATTEMPTED' })).toMatchObject({ kind: 'accepted', status: 'sent' })
    expect(classifyArc({ httpStatus: 200, txStatus: 'REJECTED' })).toMatchObject({ kind: 'rejected', reason: 'BROADCAST_REJECTED' })
    expect(classifyArc({ httpStatus: 409 }).kind).toBe('retry')
    expect(classifyArc({ httpStatus: 401 }).kind).toBe('retry')
    expect(classifyArc({ httpStatus: 461 })).toMatchObject({ reason: 'INVALID_SIGNATURE', doubleSpend: false })
    expect(classifyArc({ httpStatus: 465 })).toMatchObject({ reason: 'INSUFFICIENT_FEE' })
    expect(classifyArc({ httpStatus: 466 })).toMatchObject({ reason: 'DOUBLE_SPEND', doubleSpend: true })
    expect(classifyArc({ httpStatus: 469 })).toMatchObject({ reason: 'BAD_PROOF' })
    // A 422 without one of ARC's codes is no verdict on the transaction.
    expect(classifyArc({ httpStatus: 422 }).kind).toBe('retry')
    expect(classifyArc({ httpStatus: 422, problemStatus: 461 })).toMatchObject({ reason: 'INVALID_SIGNATURE' })
    expect(retryDelaySec(1)).toBe(5)
    expect(retryDelaySec(100)).toBe(600)
  })
})

describe('payer and payee together, with a real signed payment', () => {
  it('request → confirm → sign → hand over → verify → persist → ack → acked on both sides', async () => {
    const s = await threeInputScenario()
    let pe = payeeStart(s.request)
    const requestMsg = pe.effects.find(e => e.kind === 'send')
    if (requestMsg?.kind !== 'send' || requestMsg.message.type !== 'request') throw new Error('no request sent')
    let pr = payerStart(requestMsg.message, { network: 'devnet', nowSec: NOW })
    pr = payerReduce(pr.state, { type: 'confirm', nowSec: NOW })
    pr = payerReduce(pr.state, { type: 'signed', txid: s.tx.id('hex'), beef: s.payment.beef })
    const sent = pr.effects.find(e => e.kind === 'send')
    if (sent?.kind !== 'send') throw new Error('payer did not send')
    pr = payerReduce(pr.state, { type: 'sent', nowSec: NOW })

    pe = payeeReduce(pe.state, { type: 'payment', message: sent.message })
    const verify = pe.effects[0]
    if (verify?.kind !== 'verify') throw new Error('payee did not verify')
    const result = await verifyPayment({ request: pe.state.request, payment: verify.payment, network: 'devnet', nowSec: NOW, feeRateSatPerKb: 100, chainTracker: s.tracker })
    pe = payeeReduce(pe.state, { type: 'verified', payment: verify.payment, result })
    expect(pe.state.phase).toBe('verified')
    pe = payeeReduce(pe.state, { type: 'persisted' })
    const ack = pe.effects[0]
    if (ack?.kind !== 'send' || ack.message.type !== 'ack') throw new Error('payee did not ack')
    pr = payerReduce(pr.state, { type: 'ack', message: ack.message })
    expect(pr.state.phase).toBe('acked')
    expect(pe.state.phase).toBe('acked')
    expect(pe.state.txid).toBe(pr.state.txid)
    expect((pe.state as PayeeState).proofs).toBe('verified')
    expect((pr.state as PayerState).ack).toEqual(ack.message)
  })
})
