import { describe, expect, it } from 'vitest'
import { BEEF_V1, Beef, LockingScript, P2PKH, SatoshisPerKilobyte, Transaction, Utils } from '@bsv/sdk'
import { decisionOf, recheckProofs, requiredFee, verifyPayment, verifyReceipt } from '../../src/core/protocol/index.ts'
import type { Decision, SeenPayments, VerificationResult, VerifyPaymentInput } from '../../src/core/protocol/index.ts'
import {
  FakeChainTracker, NOW, PAYEE, PAYER, PAYMENT_ID, STRANGER,
  makePayment, makeRequest, merklePathFor, merkleRoot, minedParent, p2pkhHex, spend, threeInputScenario
} from './protocol-fixtures.ts'

const RATE = 100

function input (over: Partial<VerifyPaymentInput> & Pick<VerifyPaymentInput, 'payment'>): VerifyPaymentInput {
  return { request: makeRequest(), network: 'devnet', nowSec: NOW, feeRateSatPerKb: RATE, ...over }
}

function expectRejected (r: VerificationResult, reason: string): void {
  if (r.kind !== 'rejected') throw new Error(`expected rejection ${reason}, got ${JSON.stringify(r)}`)
  expect(r.reason).toBe(reason)
  expect(r.message.length).toBeGreaterThan(20)
}

async function simplePayment (opts: { amount?: number, script?: string, feeRate?: number, extra?: Array<{ script: string, satoshis: number }> } = {}) {
  const tracker = new FakeChainTracker()
  const parent = minedParent(PAYER, [50_000], 900_000, tracker)
  const outputs = [{ script: opts.script ?? p2pkhHex(PAYEE), satoshis: opts.amount ?? 12_345 }, ...(opts.extra ?? [])]
  const tx = await spend([{ tx: parent, vout: 0 }], { outputs, feeRate: opts.feeRate ?? RATE })
  return { tracker, parent, tx, payment: makePayment(tx.toHexBEEF()) }
}

describe('fixtures', () => {
  it('build merkle paths whose roots match an independent computation', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', '1'].map(c => c.repeat(64))
    for (let i = 0; i < ids.length; i++) {
      expect(merklePathFor(ids, i, 10).computeRoot(ids[i])).toBe(merkleRoot(ids))
    }
  })
})

describe('verifyPayment: accepts honest payments', () => {
  it('accepts a 3-input payment with proven parents and checks proofs online', async () => {
    const s = await threeInputScenario()
    const r = await verifyPayment(input({ request: s.request, payment: s.payment, chainTracker: s.tracker }))
    if (r.kind !== 'accepted') throw new Error(JSON.stringify(r))
    expect(r.txid).toBe(s.tx.id('hex'))
    expect(r.proofs).toBe('verified')
    expect(r.receivedSatoshis).toBe(12_345)
    expect(r.fee).toBe(s.tx.getFee())
    expect(r.fee).toBeGreaterThanOrEqual(r.requiredFee)
    expect(r.sizeBytes).toBe(s.tx.toBinary().length)
    expect(r.unprovenAncestors).toBe(0)
    expect(r.rawTx).toBe(s.tx.toHex())
    expect(Transaction.fromHexEF(r.efHex).id('hex')).toBe(r.txid)
    expect(s.tracker.calls).toBe(3)
    expect(decisionOf(r)).toEqual({ paymentId: PAYMENT_ID, accepted: true, txid: r.txid })
  })

  it('reports proofs unchecked when offline (no tracker) but still checks scripts and amounts', async () => {
    const s = await threeInputScenario()
    const r = await verifyPayment(input({ request: s.request, payment: s.payment }))
    expect(r.kind).toBe('accepted')
    if (r.kind === 'accepted') expect(r.proofs).toBe('unchecked')
  })

  it('treats a tracker that throws as offline, not as a bad payment', async () => {
    const s = await threeInputScenario()
    const broken = { isValidRootForHeight: async () => { throw new Error('network down') }, currentHeight: async () => 0 }
    const r = await verifyPayment(input({ request: s.request, payment: s.payment, chainTracker: broken }))
    expect(r.kind === 'accepted' && r.proofs).toBe('unchecked')
  })

  it('reads BEEF V1, V2 and Atomic BEEF alike', async () => {
    const s = await threeInputScenario()
    const v2 = new Beef()
    v2.mergeTransaction(s.tx)
    const encodings = [s.tx.toHexBEEF(), v2.toHex(), s.tx.toHexAtomicBEEF()]
    expect(encodings[0]?.startsWith('0100beef')).toBe(true)
    expect(encodings[1]?.startsWith('0200beef')).toBe(true)
    expect(encodings[2]?.startsWith('01010101')).toBe(true)
    for (const beef of encodings) {
      const r = await verifyPayment(input({ request: s.request, payment: makePayment(beef), chainTracker: s.tracker }))
      expect(r.kind, beef.slice(0, 8)).toBe('accepted')
    }
  })

  it('allows change and other extra outputs, and overpayment', async () => {
    const { tx, payment, tracker } = await simplePayment({ amount: 13_000, extra: [{ script: p2pkhHex(STRANGER), satoshis: 100 }] })
    expect(tx.outputs.length).toBe(3)
    const r = await verifyPayment(input({ payment, chainTracker: tracker }))
    if (r.kind !== 'accepted') throw new Error(JSON.stringify(r))
    expect(r.receivedSatoshis).toBe(13_000)
    expect(r.requestedSatoshis).toBe(12_345)
    expect(r.outputIndexes).toEqual([0])
  })

  it('matches several requested outputs to the same script one to one', async () => {
    const script = p2pkhHex(PAYEE)
    const request = makeRequest({}, [{ script, satoshis: 1_000 }, { script, satoshis: 2_000 }])
    const parent = minedParent(PAYER, [50_000], 1)
    const ok = await spend([{ tx: parent, vout: 0 }], { outputs: [{ script, satoshis: 2_000 }, { script, satoshis: 1_000 }] })
    const r = await verifyPayment(input({ request, payment: makePayment(ok.toHexBEEF()) }))
    expect(r.kind === 'accepted' && r.outputIndexes).toEqual([1, 0])
    // One output of 3000 cannot satisfy two requested outputs.
    const merged = await spend([{ tx: minedParent(PAYER, [50_000], 2), vout: 0 }], { outputs: [{ script, satoshis: 3_000 }] })
    expectRejected(await verifyPayment(input({ request, payment: makePayment(merged.toHexBEEF()) })), 'WRONG_OUTPUT')
  })

  it('accepts a payment spending an unmined (but fully present) parent', async () => {
    const tracker = new FakeChainTracker()
    const grand = minedParent(PAYER, [60_000], 7, tracker)
    const mid = await spend([{ tx: grand, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYER), satoshis: 40_000 }] })
    const tx = await spend([{ tx: mid, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }] })
    const r = await verifyPayment(input({ payment: makePayment(tx.toHexBEEF()), chainTracker: tracker }))
    if (r.kind !== 'accepted') throw new Error(JSON.stringify(r))
    expect(r.unprovenAncestors).toBe(1)
    expect(r.proofs).toBe('verified')
  })

  it('computes the required fee like the SDK, rounding up', () => {
    expect(requiredFee(226, 100)).toBe(23)
    expect(requiredFee(1000, 1)).toBe(1)
    expect(requiredFee(1001, 1)).toBe(2)
    expect(requiredFee(0, 100)).toBe(0)
    expect(requiredFee(570, 100)).toBe(57)
  })
})

describe('verifyPayment: hostile payer', () => {
  it('WRONG_AMOUNT when the requested output pays less', async () => {
    const { payment } = await simplePayment({ amount: 12_344 })
    expectRejected(await verifyPayment(input({ payment })), 'WRONG_AMOUNT')
  })

  it('WRONG_OUTPUT when the payee script is not paid', async () => {
    const { payment } = await simplePayment({ script: p2pkhHex(STRANGER) })
    expectRejected(await verifyPayment(input({ payment })), 'WRONG_OUTPUT')
  })

  it('INSUFFICIENT_FEE below policy, and when outputs exceed inputs', async () => {
    const { payment } = await simplePayment({ feeRate: 1 })
    const r = await verifyPayment(input({ payment }))
    expectRejected(r, 'INSUFFICIENT_FEE')
    // The same tx passes a lower policy.
    expect((await verifyPayment(input({ payment, feeRateSatPerKb: 1 }))).kind).toBe('accepted')

    const parent = minedParent(PAYER, [10_000], 3)
    const tx = await spend([{ tx: parent, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }], change: false })
    const r2 = await verifyPayment(input({ payment: makePayment(tx.toHexBEEF()) }))
    expectRejected(r2, 'INSUFFICIENT_FEE')
    expect(r2.kind === 'rejected' && r2.detail).toMatch(/outputs exceed inputs/)
  })

  it('accepts a fee exactly at policy for the actual size', async () => {
    const parent = minedParent(PAYER, [20_000], 4)
    const tx = new Transaction()
    tx.addInput({ sourceTransaction: parent, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(PAYER) })
    tx.addOutput({ lockingScript: LockingScript.fromHex(p2pkhHex(PAYEE)), satoshis: 12_345 })
    tx.addOutput({ lockingScript: LockingScript.fromHex(p2pkhHex(PAYER)), satoshis: 0 })
    await tx.sign()
    const size = tx.toBinary().length
    const change = 20_000 - 12_345 - requiredFee(size, RATE)
    ;(tx.outputs[1] as { satoshis?: number }).satoshis = change
    await tx.sign()
    expect(tx.toBinary().length).toBe(size)
    const r = await verifyPayment(input({ payment: makePayment(tx.toHexBEEF()) }))
    expect(r.kind === 'accepted' && r.fee).toBe(r.kind === 'accepted' ? r.requiredFee : -1)
  })

  it('INVALID_SIGNATURE when signed by the wrong key', async () => {
    const parent = minedParent(PAYER, [50_000], 5)
    const tx = await spend([{ tx: parent, vout: 0 }], { key: STRANGER, outputs: [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }] })
    expectRejected(await verifyPayment(input({ payment: makePayment(tx.toHexBEEF()) })), 'INVALID_SIGNATURE')
  })

  it('INVALID_SIGNATURE when an output was changed after signing (no exception escapes)', async () => {
    const { tx, parent } = await simplePayment()
    // Edit the serialized change amount: the SDK caches serializations, so mutating the
    // object would not change the bytes.
    const change = tx.outputs[1]?.satoshis ?? 0
    const le = (n: number): string => Utils.toHex(new Utils.Writer().writeUInt64LE(n).toArray())
    const raw = tx.toHex()
    expect(raw).toContain(le(change))
    const tamperedRaw = raw.replace(le(change), le(change - 1))
    const beef = new Beef(BEEF_V1)
    beef.mergeTransaction(parent)
    beef.mergeRawTx(Utils.toArray(tamperedRaw, 'hex'))
    const r = await verifyPayment(input({ payment: makePayment(beef.toHex()) }))
    expectRejected(r, 'INVALID_SIGNATURE')
  })

  it('INVALID_SIGNATURE when an unmined ancestor is badly signed', async () => {
    const grand = minedParent(PAYER, [60_000], 8)
    const mid = await spend([{ tx: grand, vout: 0 }], { key: STRANGER, outputs: [{ script: p2pkhHex(PAYER), satoshis: 40_000 }] })
    const tx = await spend([{ tx: mid, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }] })
    const r = await verifyPayment(input({ payment: makePayment(tx.toHexBEEF()) }))
    expectRejected(r, 'INVALID_SIGNATURE')
    expect(r.kind === 'rejected' && r.detail).toContain(mid.id('hex'))
  })

  it('MISSING_ANCESTRY when a parent is left out (V1) or given as txid only (V2)', async () => {
    const { tx } = await simplePayment()
    const v1 = new Beef(BEEF_V1)
    v1.mergeRawTx(tx.toBinary())
    expectRejected(await verifyPayment(input({ payment: makePayment(v1.toHex()) })), 'MISSING_ANCESTRY')

    const v2 = new Beef()
    v2.mergeTxidOnly(tx.inputs[0]?.sourceTXID ?? tx.inputs[0]?.sourceTransaction?.id('hex') ?? '')
    v2.mergeRawTx(tx.toBinary())
    expectRejected(await verifyPayment(input({ payment: makePayment(v2.toHex()) })), 'MISSING_ANCESTRY')
  })

  it('MISSING_ANCESTRY when an unmined ancestor has no proof and no parents', async () => {
    const grand = minedParent(PAYER, [60_000], 9)
    const mid = await spend([{ tx: grand, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYER), satoshis: 40_000 }] })
    const tx = await spend([{ tx: mid, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }] })
    const beef = new Beef(BEEF_V1)
    beef.mergeRawTx(mid.toBinary())
    beef.mergeRawTx(tx.toBinary())
    expectRejected(await verifyPayment(input({ payment: makePayment(beef.toHex()) })), 'MISSING_ANCESTRY')
  })

  it('BAD_PROOF when a merkle root is not the block\'s', async () => {
    const s = await threeInputScenario()
    s.tracker.roots.set(800_001, 'ab'.repeat(32))
    const r = await verifyPayment(input({ request: s.request, payment: s.payment, chainTracker: s.tracker }))
    expectRejected(r, 'BAD_PROOF')
    expect(r.kind === 'rejected' && r.txid).toBe(s.tx.id('hex'))
  })

  it('BAD_PROOF when the BEEF is internally inconsistent even offline', async () => {
    const { tx } = await simplePayment()
    const beef = Beef.fromString(tx.toHexBEEF())
    beef.mergeRawTx(minedParent(PAYER, [1], 11).toBinary()) // unconnected, unproven tx
    const hex = beef.toHex()
    const r = await verifyPayment(input({ payment: makePayment(hex) }))
    // The stray tx sorts before the payment, so the payment is still the subject.
    expectRejected(r, 'BAD_PROOF')
  })

  it('DOUBLE_SPEND when the BEEF spends one coin twice', async () => {
    const parent = minedParent(PAYER, [30_000], 12)
    const tx = await spend([{ tx: parent, vout: 0 }, { tx: parent, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }] })
    expectRejected(await verifyPayment(input({ payment: makePayment(tx.toHexBEEF()) })), 'DOUBLE_SPEND')
  })

  it('NON_FINAL when time-locked with a non-final sequence', async () => {
    const parent = minedParent(PAYER, [30_000], 13)
    const tx = await spend([{ tx: parent, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }], lockTime: 900_500, sequence: 1 })
    expectRejected(await verifyPayment(input({ payment: makePayment(tx.toHexBEEF()) })), 'NON_FINAL')
    // A lock time with final sequences is harmless.
    const fin = await spend([{ tx: minedParent(PAYER, [30_000], 14), vout: 0 }], { outputs: [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }], lockTime: 900_500 })
    expect((await verifyPayment(input({ payment: makePayment(fin.toHexBEEF()) }))).kind).toBe('accepted')
  })

  it('EXPIRED after the request expiry, WRONG_NETWORK on another network, UNKNOWN_REQUEST without one', async () => {
    const { payment } = await simplePayment()
    expectRejected(await verifyPayment(input({ payment, nowSec: NOW + 601 })), 'EXPIRED')
    expect((await verifyPayment(input({ payment, nowSec: NOW + 600 }))).kind).toBe('accepted')
    expectRejected(await verifyPayment(input({ payment, network: 'mainnet' })), 'WRONG_NETWORK')
    expectRejected(await verifyPayment(input({ payment, request: undefined })), 'UNKNOWN_REQUEST')
    expectRejected(await verifyPayment(input({ payment: { ...payment, paymentId: 'another-payment' } })), 'UNKNOWN_REQUEST')
  })

  it('MALFORMED for garbage, a wrong magic, trailing bytes, or an empty BEEF', async () => {
    const { tx } = await simplePayment()
    const good = tx.toHexBEEF()
    for (const beef of ['00'.repeat(40), 'deadbeef'.repeat(10), good + '00', '0100beef0000', good.slice(0, good.length - 10)]) {
      expectRejected(await verifyPayment(input({ payment: makePayment(beef) })), 'MALFORMED')
    }
  })

  it('MALFORMED quickly when a BEEF claims billions of transactions or bumps it does not hold', async () => {
    const started = performance.now()
    for (const beef of ['0100beef00ffffffffffffff1f00', '0100beefffffffffffffff1f0000', '0200beef00fe00ffffff' + '00'.repeat(20)]) {
      expectRejected(await verifyPayment(input({ payment: makePayment(beef) })), 'MALFORMED')
    }
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('TOO_LARGE beyond the BEEF size, transaction count or unmined depth limits', async () => {
    const { payment } = await simplePayment()
    expectRejected(await verifyPayment(input({ payment, limits: { maxBeefBytes: 100 } })), 'TOO_LARGE')
    expectRejected(await verifyPayment(input({ payment, limits: { maxTransactions: 1 } })), 'TOO_LARGE')
    expectRejected(await verifyPayment(input({ payment, limits: { maxScriptInputs: 0 } })), 'TOO_LARGE')

    let prev = minedParent(PAYER, [100_000], 15)
    for (let i = 0; i < 4; i++) prev = await spend([{ tx: prev, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYER), satoshis: 90_000 - i * 1000 }] })
    const deep = await spend([{ tx: prev, vout: 0 }], { outputs: [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }] })
    const deepPayment = makePayment(deep.toHexBEEF())
    expectRejected(await verifyPayment(input({ payment: deepPayment, limits: { maxUnprovenDepth: 3 } })), 'TOO_LARGE')
    const r = await verifyPayment(input({ payment: deepPayment }))
    expect(r.kind === 'accepted' && r.unprovenAncestors).toBe(4)
  })
})

describe('verifyPayment: replays', () => {
  function seenWith (entries: Decision[]): SeenPayments {
    return {
      byPaymentId: async id => entries.find(e => e.paymentId === id),
      byTxid: id => entries.find(e => e.txid === id)
    }
  }

  it('DUPLICATE returns the prior accepted decision, even after expiry', async () => {
    const { payment, tx } = await simplePayment()
    const prior: Decision = { paymentId: PAYMENT_ID, accepted: true, txid: tx.id('hex') }
    const r = await verifyPayment(input({ payment, seen: seenWith([prior]), nowSec: NOW + 10_000 }))
    expect(r.kind).toBe('duplicate')
    expect(decisionOf(r)).toEqual(prior)
  })

  it('a different tx for an already paid request gets the prior accepted decision', async () => {
    const { payment } = await simplePayment()
    const prior: Decision = { paymentId: PAYMENT_ID, accepted: true, txid: 'cd'.repeat(32) }
    const r = await verifyPayment(input({ payment, seen: seenWith([prior]) }))
    expect(r.kind === 'duplicate' && r.prior).toEqual(prior)
  })

  it('the same tx rejected before gets the same rejection; a new tx after a rejection is verified afresh', async () => {
    const { payment, tx } = await simplePayment()
    const prior: Decision = { paymentId: PAYMENT_ID, accepted: false, reason: 'INSUFFICIENT_FEE', txid: tx.id('hex') }
    const same = await verifyPayment(input({ payment, seen: seenWith([prior]) }))
    expect(decisionOf(same)).toEqual(prior)
    const other = { ...prior, txid: 'ef'.repeat(32) }
    expect((await verifyPayment(input({ payment, seen: seenWith([other]) }))).kind).toBe('accepted')
  })

  it('DUPLICATE rejection when an old tx is replayed against a new request', async () => {
    const { payment, tx } = await simplePayment()
    const old: Decision = { paymentId: 'old-payment-1', accepted: true, txid: tx.id('hex') }
    expectRejected(await verifyPayment(input({ payment, seen: seenWith([old]) })), 'DUPLICATE')
  })
})

describe('recheckProofs and verifyReceipt', () => {
  it('re-checks proofs of an offline-accepted payment once online', async () => {
    const s = await threeInputScenario()
    expect(await recheckProofs(s.payment.beef, undefined)).toEqual({ ok: true, proofs: 'unchecked' })
    expect(await recheckProofs(s.payment.beef, s.tracker)).toEqual({ ok: true, proofs: 'verified' })
    s.tracker.roots.set(800_000, '00'.repeat(32))
    expect(await recheckProofs(s.payment.beef, s.tracker)).toMatchObject({ ok: false, reason: 'BAD_PROOF' })
    expect(await recheckProofs('zz', s.tracker)).toMatchObject({ ok: false, reason: 'MALFORMED' })
  })

  it('verifies a receipt merkle path against the tracker', async () => {
    const tracker = new FakeChainTracker()
    const { tx } = await simplePayment()
    const txid = tx.id('hex')
    const block = ['11'.repeat(32), txid, '22'.repeat(32)]
    tracker.roots.set(900_010, merkleRoot(block))
    const receipt = { v: 1 as const, type: 'receipt' as const, id: 'r1', paymentId: PAYMENT_ID, txid, merklePath: merklePathFor(block, 1, 900_010).toHex(), blockHeight: 900_010 }
    expect(await verifyReceipt(receipt, txid, tracker)).toEqual({ ok: true, proofs: 'verified' })
    expect(await verifyReceipt(receipt, txid, undefined)).toEqual({ ok: true, proofs: 'unchecked' })
    expect((await verifyReceipt(receipt, 'aa'.repeat(32), tracker)).ok).toBe(false)
    expect((await verifyReceipt({ ...receipt, blockHeight: 5 }, txid, tracker)).ok).toBe(false)
    tracker.roots.set(900_010, '00'.repeat(32))
    expect((await verifyReceipt(receipt, txid, tracker)).ok).toBe(false)
  })
})

// Keep the imported helpers honest about what they promise.
describe('fee model in fixtures', () => {
  it('uses an explicit SatoshisPerKilobyte, never the network default', async () => {
    const parent = minedParent(PAYER, [10_000], 20)
    const tx = new Transaction()
    tx.addInput({ sourceTransaction: parent, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(PAYER) })
    tx.addOutput({ lockingScript: new P2PKH().lock(PAYER.toPublicKey().toAddress()), change: true })
    await tx.fee(new SatoshisPerKilobyte(100))
    await tx.sign()
    expect(tx.getFee()).toBeGreaterThan(0)
    expect(Utils.toHex(tx.toBinary()).length).toBeGreaterThan(0)
  })
})

describe('verifyPayment: hostile merkle paths', () => {
  function bumpBeef (bumps: number, level0: number): string {
    const w = new Utils.Writer()
    w.writeUInt32LE(4022206465)
    w.writeVarIntNum(bumps)
    for (let b = 0; b < bumps; b++) {
      w.writeVarIntNum(100 + b)
      w.writeUInt8(1)
      w.writeVarIntNum(level0)
      for (let i = 0; i < level0; i++) {
        w.writeVarIntNum(i)
        w.writeUInt8(2)
        w.write(Array.from({ length: 32 }, (_, j) => (i * 7 + j * 13 + b) & 255))
      }
    }
    w.writeVarIntNum(0)
    return Utils.toHex(w.toArray())
  }

  it('TOO_LARGE, fast, for a BUMP with thousands of leaves (the SDK would take minutes)', async () => {
    const started = performance.now()
    expectRejected(await verifyPayment(input({ payment: makePayment(bumpBeef(1, 4000)) })), 'TOO_LARGE')
    expectRejected(await verifyPayment(input({ payment: makePayment(bumpBeef(33, 1)) })), 'TOO_LARGE')
    expect(performance.now() - started).toBeLessThan(500)
  })

  it('stays well under a second at the limits', async () => {
    const started = performance.now()
    expectRejected(await verifyPayment(input({ payment: makePayment(bumpBeef(8, 16)) })), 'MALFORMED')
    expectRejected(await verifyPayment(input({ payment: makePayment(bumpBeef(9, 16)) })), 'TOO_LARGE')
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
