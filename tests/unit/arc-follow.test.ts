// Issue 8 (refreshStatuses follows every open entry to its end) and issue 9.1 (a payee that
// refuses keeps the signed tx: the coins stay reserved until it is mined or provably dead).
import { afterEach, describe, expect, it } from 'vitest'
import { fixture, testWallet, coinsOf, type Fixture, type TestWallet } from './wallet-arc-harness.ts'

let tw: TestWallet | undefined
afterEach(() => { tw?.wallet.close(); tw = undefined })

/** ARC's status route answers per txid from this map (404 for others). */
function statuses (): { map: Map<string, Fixture>, status: (txid: string) => Fixture } {
  const map = new Map<string, Fixture>()
  return { map, status: txid => map.get(txid) ?? fixture('h1-404-not-found') }
}

describe('refreshStatuses follows every open entry to its end', () => {
  it('seen, then REJECTED: the coin comes back, the change vanishes, the ledger says why', async () => {
    const s = statuses()
    tw = await testWallet({ submit: () => fixture('h1-200-seen-on-network'), status: s.status })
    const paid = await tw.pay(20_000)
    await tw.wallet.broadcastOnce(paid.txid)
    expect((await tw.entry(paid.txid)).status).toBe('seen')
    s.map.set(paid.txid, fixture('h1-200-rejected'))
    await tw.wallet.refreshStatuses()
    const e = await tw.entry(paid.txid)
    expect(e.status).toBe('failed')
    expect(e.error).toMatch(/refused it/)
    expect(await coinsOf(tw, paid.txid)).toEqual({ inputs: ['unspent'], change: [] })
    expect((await tw.wallet.balance()).spendable).toBe(100_000)
  })

  it('failed (REJECTED), then MINED after all: the coin is spent again and the change is back', async () => {
    const s = statuses()
    tw = await testWallet({ submit: () => fixture('h1-200-rejected'), status: s.status })
    const paid = await tw.pay(20_000)
    await tw.wallet.broadcastOnce(paid.txid)
    expect((await tw.wallet.balance()).spendable).toBe(100_000)
    s.map.set(paid.txid, fixture('h1-200-mined'))
    await tw.wallet.refreshStatuses()
    const e = await tw.entry(paid.txid)
    expect(e.status).toBe('seen') // mined once its proof checks out against our headers
    expect(e.arcStatus).toBe('MINED')
    expect(await coinsOf(tw, paid.txid)).toEqual({ inputs: ['spent'], change: ['unspent'] })
    expect((await tw.wallet.balance()).spendable).toBe(80_000 - paid.fee)
  })

  it('a double spend flagged by ARC (466), then MINED: ours won after all', async () => {
    const s = statuses()
    tw = await testWallet({ submit: () => fixture('h1-466-conflict'), status: s.status })
    const paid = await tw.pay(20_000)
    await tw.wallet.broadcastOnce(paid.txid)
    expect(await coinsOf(tw, paid.txid)).toEqual({ inputs: ['conflict'], change: [] })
    s.map.set(paid.txid, fixture('h1-200-seen-on-network'))
    await tw.wallet.refreshStatuses()
    expect(await coinsOf(tw, paid.txid)).toEqual({ inputs: ['spent'], change: ['unspent'] })
  })

  it('DOUBLE_SPEND_ATTEMPTED keeps the coin reserved until it ends MINED', async () => {
    const s = statuses()
    tw = await testWallet({ submit: () => fixture('h1-200-double-spend-attempted'), status: s.status })
    const paid = await tw.pay(20_000)
    await tw.wallet.broadcastOnce(paid.txid)
    s.map.set(paid.txid, fixture('h1-200-double-spend-attempted'))
    await tw.wallet.refreshStatuses()
    expect(await coinsOf(tw, paid.txid)).toEqual({ inputs: ['pending'], change: ['unspent'] })
    expect((await tw.entry(paid.txid)).error).toMatch(/Another transaction tries to spend/)
    s.map.set(paid.txid, fixture('h1-200-mined'))
    await tw.wallet.refreshStatuses()
    expect(await coinsOf(tw, paid.txid)).toEqual({ inputs: ['spent'], change: ['unspent'] })
    expect((await tw.entry(paid.txid)).error).toBeUndefined()
  })

  it('DOUBLE_SPEND_ATTEMPTED that ends REJECTED as a double spend: the coin is flagged, not offered again', async () => {
    const s = statuses()
    tw = await testWallet({ submit: () => fixture('h1-200-double-spend-attempted'), status: s.status })
    const paid = await tw.pay(20_000)
    await tw.wallet.broadcastOnce(paid.txid)
    s.map.set(paid.txid, fixture('h1-200-rejected-double-spend'))
    await tw.wallet.refreshStatuses()
    expect(await coinsOf(tw, paid.txid)).toEqual({ inputs: ['conflict'], change: [] })
    expect(await tw.entry(paid.txid)).toMatchObject({ status: 'failed', competingTxs: ['c0d6fce714e4225614f000c6a5addaaa1341acbb9c87115114dcf84f37b945a6'] })
    expect((await tw.wallet.balance()).spendable).toBe(0)
  })

  it('an orphan stays reserved and is followed: it ends SEEN when its parent arrives', async () => {
    const s = statuses()
    tw = await testWallet({ submit: () => fixture('h1-200-seen-in-orphan-mempool'), status: s.status })
    const paid = await tw.pay(20_000)
    await tw.wallet.broadcastOnce(paid.txid)
    s.map.set(paid.txid, fixture('h1-200-seen-in-orphan-mempool'))
    await tw.wallet.refreshStatuses()
    expect((await tw.wallet.balance()).pending).toBe(20_000 + paid.fee)
    s.map.set(paid.txid, fixture('h1-200-seen-on-network'))
    await tw.wallet.refreshStatuses()
    expect(await tw.entry(paid.txid)).toMatchObject({ status: 'seen', arcStatus: 'SEEN_ON_NETWORK' })
  })

  it('a status answer about another txid changes nothing', async () => {
    const s = statuses()
    tw = await testWallet({ submit: () => fixture('h1-503-unavailable'), status: s.status })
    const paid = await tw.pay(20_000)
    await tw.wallet.broadcastOnce(paid.txid)
    s.map.set(paid.txid, fixture('h1-200-other-txid'))
    await tw.wallet.refreshStatuses()
    expect((await tw.entry(paid.txid)).status).toBe('handed-over')
    expect(await coinsOf(tw, paid.txid)).toEqual({ inputs: ['pending'], change: ['unspent'] })
  })
})

describe('the payee\'s side of the same table', () => {
  it('a payment answered SEEN_IN_ORPHAN_MEMPOOL is not spendable; it is once the network has it', async () => {
    const s = statuses()
    tw = await testWallet({ submit: () => fixture('h1-200-seen-in-orphan-mempool'), status: s.status })
    const txid = await tw.receive(25_000)
    await tw.wallet.processOutbox()
    expect(tw.submitted).toEqual([txid])
    expect(await tw.wallet.balance()).toMatchObject({ spendable: 100_000, incoming: 25_000 })
    expect((await tw.entry(txid)).error).toMatch(/missing an earlier transaction/)
    s.map.set(txid, fixture('h1-200-seen-on-network'))
    await tw.wallet.refreshStatuses()
    expect(await tw.wallet.balance()).toMatchObject({ spendable: 125_000, incoming: 0 })
  })

  it('a payment ARC answers 409 for stays stored and queued, not undone', async () => {
    tw = await testWallet({ submit: () => fixture('h1-409-generic') })
    const txid = await tw.receive(25_000)
    await tw.wallet.processOutbox()
    expect(await tw.wallet.balance()).toMatchObject({ incoming: 25_000 })
    expect(await tw.wallet.db.get('outbox', txid)).toMatchObject({ attempts: 1 })
  })
})

describe('a payee that refuses but keeps the signed transaction (issue 9.1)', () => {
  async function refused (s: ReturnType<typeof statuses>, submit = fixture('h1-200-seen-on-network')): Promise<{ tw: TestWallet, txid: string, fee: number }> {
    tw = await testWallet({ submit: () => submit, status: s.status })
    // Handed over face to face: the outbox would broadcast it at the ack deadline.
    const paid = await tw.pay(20_000, { broadcastAt: Date.now() + 30_000 })
    await tw.wallet.markRefused(paid.txid, 'The payee refused.')
    return { tw, txid: paid.txid, fee: paid.fee }
  }

  it('keeps the coins reserved, never broadcasts it itself, and nothing is spendable twice', async () => {
    const s = statuses()
    const r = await refused(s)
    expect(await r.tw.entry(r.txid)).toMatchObject({ status: 'refused' })
    expect(await coinsOf(r.tw, r.txid)).toEqual({ inputs: ['pending'], change: ['incoming'] })
    // Held by the refused payment: neither spendable nor being sent.
    expect(await r.tw.wallet.balance()).toMatchObject({ spendable: 0, pending: 0, reserved: 100_000 })
    await r.tw.wallet.processOutbox(Date.now() + 3600_000)
    await r.tw.wallet.retryNow()
    expect(r.tw.submitted).toEqual([])
    await expect(r.tw.pay(1_000)).rejects.toThrow()
  })

  it('the payee broadcasts it anyway: the ledger says paid, in plain words', async () => {
    const s = statuses()
    const r = await refused(s)
    s.map.set(r.txid, fixture('h1-200-seen-on-network'))
    await r.tw.wallet.refreshStatuses()
    expect(await r.tw.entry(r.txid)).toMatchObject({ status: 'seen', error: 'The payee said no, but broadcast it: you paid.' })
    expect(await coinsOf(r.tw, r.txid)).toEqual({ inputs: ['spent'], change: ['unspent'] })
    expect((await r.tw.wallet.balance()).spendable).toBe(80_000 - r.fee)
  })

  it('"Cancel for sure" spends the coins back to us; only once a miner takes it are they spendable', async () => {
    const s = statuses()
    const r = await refused(s, fixture('h1-200-stored'))
    const cancel = await r.tw.wallet.cancelForSure(r.txid)
    expect(r.tw.submitted).toEqual([cancel.txid])
    // ARC holds it but has not said SEEN: still reserved.
    // Held by the refused payment: neither spendable nor being sent.
    expect(await r.tw.wallet.balance()).toMatchObject({ spendable: 0, pending: 0, reserved: 100_000 })
    expect((await r.tw.entry(r.txid)).status).toBe('refused')
    s.map.set(cancel.txid, fixture('h1-200-seen-on-network'))
    await r.tw.wallet.refreshStatuses()
    expect((await r.tw.entry(r.txid)).status).toBe('cancelled')
    expect((await r.tw.entry(cancel.txid)).status).toBe('seen')
    const b = await r.tw.wallet.balance()
    expect(b).toMatchObject({ spendable: 100_000 - cancel.fee, pending: 0, incoming: 0 })
    expect(await coinsOf(r.tw, r.txid)).toEqual({ inputs: ['spent'], change: [] })
  })

  it('the payee was faster than "Cancel for sure": the cancel dies, the payment counts as paid, nothing is spendable twice', async () => {
    const s = statuses()
    const r = await refused(s, fixture('h1-200-double-spend-attempted'))
    const cancel = await r.tw.wallet.cancelForSure(r.txid)
    s.map.set(r.txid, fixture('h1-200-seen-on-network'))
    s.map.set(cancel.txid, fixture('h1-200-double-spend-attempted'))
    await r.tw.wallet.refreshStatuses()
    expect(await r.tw.entry(r.txid)).toMatchObject({ status: 'seen', error: 'The payee said no, but broadcast it: you paid.' })
    expect(await r.tw.entry(cancel.txid)).toMatchObject({ status: 'failed' })
    expect(await r.tw.wallet.balance()).toMatchObject({ spendable: 80_000 - r.fee, pending: 0, incoming: 0 })
  })

  it('a cancel the miner refuses gives nothing back: the coins stay with the refused payment', async () => {
    const s = statuses()
    const r = await refused(s, fixture('h1-466-conflict'))
    const cancel = await r.tw.wallet.cancelForSure(r.txid)
    expect((await r.tw.entry(cancel.txid)).status).toBe('failed')
    const orig = await r.tw.entry(r.txid)
    expect(orig.status).toBe('refused')
    expect(orig.cancelledBy).toBeUndefined()
    expect(await coinsOf(r.tw, r.txid)).toEqual({ inputs: ['pending'], change: ['incoming'] })
    expect((await r.tw.wallet.balance()).spendable).toBe(0)
  })

  it('the same payment id is never paid with a second transaction while the first may still be mined', async () => {
    const s = statuses()
    const r = await refused(s)
    // A second coin, so that money is not what stops the second payment.
    await r.tw.addCoin(50_000)
    const session = { paymentId: 'pay-1', role: 'payer' as const, state: { paymentId: 'pay-1', txid: r.txid }, updatedAt: Date.now() }
    await r.tw.wallet.saveSession(session)
    const meta = { session: { ...session, state: { paymentId: 'pay-1', txid: 'ff'.repeat(32) } } }
    const p = await r.tw.wallet.prepare([{ lockingScript: r.tw.funding.lockingScript, satoshis: 5_000 }])
    await expect(r.tw.wallet.commitOutgoing(p, meta)).rejects.toThrow(/Not paying it twice/)
    expect((await r.tw.wallet.db.getAll('ledger')).length).toBe(1)
    expect((await r.tw.wallet.balance()).spendable).toBe(50_000)
    s.map.set(r.txid, fixture('h1-200-rejected'))
    // Once it is provably dead (the miner refused it for good), the request may be paid.
    await r.tw.wallet.refreshStatuses()
    expect((await r.tw.entry(r.txid)).status).toBe('failed')
    const p2 = await r.tw.wallet.prepare([{ lockingScript: r.tw.funding.lockingScript, satoshis: 5_000 }])
    await expect(r.tw.wallet.commitOutgoing(p2, meta)).resolves.toMatchObject({ status: 'handed-over' })
  })

  it('the refused payment turns out REJECTED by the miner: provably dead, the coins come back', async () => {
    const s = statuses()
    const r = await refused(s)
    s.map.set(r.txid, fixture('h1-200-rejected'))
    await r.tw.wallet.refreshStatuses()
    expect((await r.tw.entry(r.txid)).status).toBe('failed')
    expect((await r.tw.wallet.balance()).spendable).toBe(100_000)
  })
})

describe('a reopened wallet respects due times (issue 15.3)', () => {
  it('retryNow leaves a payment waiting for its ack deadline alone, and retries what is backing off', async () => {
    tw = await testWallet({ submit: () => fixture('h1-503-unavailable') })
    const waiting = await tw.pay(20_000, { broadcastAt: Date.now() + 30_000 })
    await tw.wallet.retryNow()
    expect(tw.submitted).toEqual([])
    await tw.wallet.processOutbox(Date.now() + 31_000)
    expect(tw.submitted).toEqual([waiting.txid])
    await tw.wallet.retryNow()
    expect(tw.submitted).toEqual([waiting.txid, waiting.txid])
  })
})

describe('one payment reaches the miner once at its ack deadline', () => {
  it('the session and the outbox asking together send it once; asked again once the network has it, it is not sent again', async () => {
    tw = await testWallet({ submit: () => fixture('h1-200-seen-on-network') })
    const due = Date.now() + 30_000
    const paid = await tw.pay(20_000, { broadcastAt: due })
    // The payer session's deadline timer and the outbox pass fire at the same moment.
    const [bySession] = await Promise.all([tw.wallet.broadcastOnce(paid.txid), tw.wallet.processOutbox(due + 1)])
    expect(bySession).toMatchObject({ kind: 'accepted', status: 'seen' })
    expect(tw.submitted).toEqual([paid.txid])
    // Later callers (a late timer, a resumed session) learn it is on the network, without a resubmission.
    expect(await tw.wallet.broadcastOnce(paid.txid)).toMatchObject({ kind: 'accepted', status: 'seen' })
    await tw.wallet.processOutbox(due + 600_000)
    expect(tw.submitted).toEqual([paid.txid])
    expect((await tw.entry(paid.txid)).status).toBe('seen')
  })
})
