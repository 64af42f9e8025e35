// A killed page leaves sessions in between; the ledger knows the end. These are the rules
// that bring a stored session up to it (src/app/session-recovery.ts), and the one write
// that applies them to a real IndexedDB (in memory), memo and payer included.
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { payeeStart, payerStart, type PayeeState, type PayerState } from '../../src/core/protocol/index.ts'
import { ledgerExtras, reconcileSessions, sessionForScript, settleSession } from '../../src/app/session-recovery.ts'
import { openChainDB } from '../../src/store/db.ts'
import type { LedgerRecord, SessionRecord } from '../../src/store/records.ts'
import { makeRequest, NOW, p2pkhHex, PAYEE, PAYER } from './protocol-fixtures.ts'

const SCRIPT = p2pkhHex(PAYEE)
const TXID = 'ab'.repeat(32)
const PAYER_KEY = PAYER.toPublicKey().toString()
const request = makeRequest({ memo: 'Coffee', creationTimestamp: NOW, expirationTimestamp: NOW + 900 }, [{ script: SCRIPT, satoshis: 5_000 }])

function payer (phase: PayerState['phase'], txid: string | undefined = TXID): SessionRecord {
  const st = payerStart(request, { network: request.network, nowSec: NOW }).state
  return { paymentId: st.paymentId, role: 'payer', state: { ...st, phase, ...(txid !== undefined ? { txid } : {}) }, peerKey: 'payee', updatedAt: 1 }
}
function payee (phase: PayeeState['phase'], txid?: string): SessionRecord {
  const st = payeeStart(request).state
  return { paymentId: st.paymentId, role: 'payee', state: { ...st, phase, ...(txid !== undefined ? { txid } : {}) }, peerKey: PAYER_KEY, updatedAt: 1 }
}
function ledger (status: LedgerRecord['status'], over: Partial<LedgerRecord> = {}): LedgerRecord {
  return { txid: TXID, direction: 'in', amount: 5_000, fee: 0, status, createdAt: 1, updatedAt: 1, ...over }
}
const phaseOf = (s: unknown): string | undefined => (s as { phase?: string } | undefined)?.phase

describe('settleSession', () => {
  it('ends every in-between payer phase the ledger already saw mined', () => {
    for (const p of ['signed', 'handedOver', 'acked', 'selfBroadcast', 'broadcast'] as const) {
      expect(phaseOf(settleSession(payer(p), { entry: ledger('mined', { direction: 'out', height: 7 }) }, NOW)), p).toBe('mined')
    }
  })

  it('moves a payer to broadcast on seen, never backwards, and leaves an unbroadcast signed payment resumable', () => {
    expect(phaseOf(settleSession(payer('handedOver'), { entry: ledger('seen', { direction: 'out' }) }, NOW))).toBe('broadcast')
    expect(settleSession(payer('mined'), { entry: ledger('seen', { direction: 'out' }) }, NOW)).toBeUndefined()
    expect(settleSession(payer('handedOver'), { entry: ledger('handed-over', { direction: 'out' }) }, NOW)).toBeUndefined()
    // An acked payment the miner refused to us may still be mined by the payee: not ended here.
    expect(settleSession(payer('acked'), { entry: ledger('failed', { direction: 'out' }) }, NOW)).toBeUndefined()
    expect(phaseOf(settleSession(payer('selfBroadcast'), { entry: ledger('failed', { direction: 'out' }) }, NOW))).toBe('failed')
  })

  it('cancels an unsigned payer session only once its request expired', () => {
    expect(settleSession(payer('requested', undefined), {}, NOW)).toBeUndefined()
    expect(phaseOf(settleSession(payer('confirmed', undefined), {}, NOW + 901))).toBe('cancelled')
  })

  it('a payee session follows its own txid, and a request paid behind its back (sync) gets that txid', () => {
    for (const p of ['verified', 'acked', 'queued', 'broadcast', 'seen'] as const) {
      expect(phaseOf(settleSession(payee(p, TXID), { entry: ledger('mined') }, NOW)), p).toBe('mined')
    }
    const found = settleSession(payee('requestSent'), { entry: ledger('seen'), paidSatoshis: 5_000 }, NOW) as PayeeState
    expect(found).toMatchObject({ phase: 'seen', txid: TXID, receivedSatoshis: 5_000 })
    expect(phaseOf(settleSession(payee('requestSent'), {}, NOW + 901))).toBe('expired')
    expect(settleSession(payee('requestSent'), {}, NOW)).toBeUndefined()
    // A refused payment stays refused even if the ledger has that tx.
    expect(settleSession(payee('rejected', TXID), { entry: ledger('mined') }, NOW)).toBeUndefined()
  })
})

describe('memo and counterparty', () => {
  it('fills only what the entry lacks', () => {
    expect(ledgerExtras(ledger('seen'), payee('requestSent'))).toEqual({ memo: 'Coffee', counterparty: PAYER_KEY })
    expect(ledgerExtras(ledger('seen', { memo: 'mine', counterparty: 'x' }), payee('requestSent'))).toBeUndefined()
  })

  it('picks the session naming the txid, else the latest not cancelled code on that script', () => {
    const old = { ...payee('cancelled'), paymentId: 'old', updatedAt: 5 }
    const cur = { ...payee('requestSent'), paymentId: 'cur', updatedAt: 3 }
    expect(sessionForScript([old, cur], SCRIPT, TXID)?.paymentId).toBe('cur')
    const named = { ...payee('acked', TXID), paymentId: 'named', updatedAt: 1 }
    expect(sessionForScript([old, cur, named], SCRIPT, TXID)?.paymentId).toBe('named')
    expect(sessionForScript([cur], '00', TXID)).toBeUndefined()
  })
})

describe('reconcileSessions', () => {
  it('a payee killed before the payment: the coin sync found ends its session and the ledger gets memo and payer', async () => {
    const db = await openChainDB('devnet', `recovery-${Math.random()}`)
    await db.put('sessions', payee('requestSent'))
    await db.put('sessions', { ...payer('handedOver'), paymentId: 'paid-by-this-phone' })
    await db.put('ledger', ledger('mined', { height: 9 }))
    await db.put('coins', { id: `${TXID}:0`, txid: TXID, vout: 0, satoshis: 5_000, lockingScript: SCRIPT, keyPath: "m/44'/236'/0'/0/0", status: 'unspent', createdAt: 1 })
    expect(await reconcileSessions(db, NOW * 1000)).toBe(2)
    const sessions = await db.getAll('sessions')
    expect(sessions.map(s => [s.role, phaseOf(s.state)]).sort()).toEqual([['payee', 'mined'], ['payer', 'mined']])
    expect(await db.get('ledger', TXID)).toMatchObject({ memo: 'Coffee', counterparty: PAYER_KEY, status: 'mined' })
    // Nothing left to do: a second pass moves nothing.
    expect(await reconcileSessions(db, NOW * 1000)).toBe(0)
    db.close()
  })
})

describe('resumeSelfBroadcasts', () => {
  it('a payer killed while broadcasting itself sends at once on reopening; one still waiting for its payee keeps its deadline', async () => {
    const { resumeSelfBroadcasts } = await import('../../src/app/session-recovery.ts')
    const db = await openChainDB('devnet', `self-${Math.random()}`)
    const OTHER = 'cd'.repeat(32)
    const deadline = NOW * 1000 + 25_000
    await db.put('sessions', payer('selfBroadcast'))
    await db.put('sessions', { ...payer('handedOver', OTHER), paymentId: 'still-waiting' })
    await db.put('outbox', { txid: TXID, attempts: 0, nextAttemptAt: deadline })
    await db.put('outbox', { txid: OTHER, attempts: 0, nextAttemptAt: deadline })
    expect(await resumeSelfBroadcasts(db, NOW * 1000)).toBe(1)
    expect((await db.get('outbox', TXID))?.nextAttemptAt).toBe(NOW * 1000)
    // Its payee may still answer (even refuse): not sent before the deadline.
    expect((await db.get('outbox', OTHER))?.nextAttemptAt).toBe(deadline)
    expect(await resumeSelfBroadcasts(db, NOW * 1000)).toBe(0)
    db.close()
  })
})

describe('openPayeeSession', () => {
  it('brings back a request still waiting, and an answer by codes the payer may still need to film until it can no longer wait', async () => {
    const { openPayeeSession } = await import('../../src/app/session-recovery.ts')
    const { CAMERA_ACK_TIMEOUT_SEC } = await import('../../src/core/camera/ack-deadline.ts')
    const db = await openChainDB('devnet', `open-${Math.random()}`)
    const accepted = (phase: PayeeState['phase'], id: string, over: Partial<SessionRecord> = {}): SessionRecord => {
      const rec = payee(phase, TXID)
      const st = rec.state as PayeeState
      return { ...rec, paymentId: id, state: { ...st, paymentId: id, ack: { v: 1, type: 'ack', id: `ack:${id}`, paymentId: id, accepted: true, txid: TXID, broadcast: 'pending' } }, ...over }
    }
    // Paid over a link: the payer had its answer (or its outbox broadcasts), no screen to come back to.
    await db.put('sessions', accepted('queued', 'by-link'))
    expect(await openPayeeSession(db, NOW * 1000)).toBeUndefined()
    // Paid by codes: its answer comes back, whatever the broadcast did meanwhile...
    for (const phase of ['queued', 'acked', 'broadcast', 'seen', 'mined'] as const) {
      await db.put('sessions', accepted(phase, 'by-camera', { byCamera: true, updatedAt: 2 }))
      expect((await openPayeeSession(db, NOW * 1000))?.paymentId, phase).toBe('by-camera')
    }
    // ...until the payer's own deadline after the request expired, after which nobody waits.
    const last = (NOW + 900 + CAMERA_ACK_TIMEOUT_SEC) * 1000
    expect((await openPayeeSession(db, last))?.paymentId).toBe('by-camera')
    expect(await openPayeeSession(db, last + 1000)).toBeUndefined()
    // A refusal, a failed broadcast, or an answer the person already closed: not brought back.
    const refused = accepted('rejected', 'by-camera', { byCamera: true })
    await db.put('sessions', { ...refused, state: { ...(refused.state as PayeeState), ack: { v: 1, type: 'ack', id: 'ack:by-camera', paymentId: 'by-camera', accepted: false, reason: 'INSUFFICIENT_FEE' } } })
    expect(await openPayeeSession(db, NOW * 1000)).toBeUndefined()
    await db.put('sessions', accepted('failed', 'by-camera', { byCamera: true }))
    expect(await openPayeeSession(db, NOW * 1000)).toBeUndefined()
    await db.put('sessions', accepted('seen', 'by-camera'))
    expect(await openPayeeSession(db, NOW * 1000)).toBeUndefined()
    // A request still waiting comes back as before.
    await db.put('sessions', { ...payee('requestSent'), paymentId: 'waiting' })
    expect((await openPayeeSession(db, NOW * 1000))?.paymentId).toBe('waiting')
    db.close()
  })
})
