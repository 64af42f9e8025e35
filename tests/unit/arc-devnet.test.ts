// The wallet's outbox and status polling against the devnet's ARC over real HTTP (the
// devnet is the chain simulator the other tests trust): a payment goes seen → mined with
// its proof checked against the devnet's headers, and — where the devnet has the fault API
// (POST /devnet/faults, see the devnet contract) — ARC's transient and in-progress answers
// keep the coins reserved until a later attempt lands.
import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { P2PKH, PrivateKey } from '@bsv/sdk'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { Wallet } from '../../src/app/wallet.ts'
import { DEFAULT_SETTINGS } from '../../src/app/settings.ts'

let srv: RunningServer
let n = 0
beforeAll(async () => { srv = await startAppServer({ host: '127.0.0.1', port: 0, devnetFile: ':memory:' }) })
afterAll(async () => { await srv.close() })

async function funded (): Promise<Wallet> {
  const w = await Wallet.open(Array.from(PrivateKey.fromRandom().toArray()), { ...structuredClone(DEFAULT_SETTINGS), feeRate: 50 }, srv.url, `devnet-${process.pid}-${++n}`)
  const address = (await w.receiveAddress()).address
  const r = await fetch(`${srv.url}/devnet/faucet`, { method: 'POST', body: JSON.stringify({ address, satoshis: 100_000 }) })
  expect(r.status).toBe(200)
  await fetch(`${srv.url}/devnet/mine`, { method: 'POST', body: JSON.stringify({ blocks: 1 }) })
  expect((await w.sync()).newCoins).toBe(1)
  return w
}

const stranger = (): string => new P2PKH().lock(PrivateKey.fromRandom().toAddress([0x6f])).toHex()

describe('outbox and status polls against the devnet ARC', () => {
  it('seen on submit, mined after a block with its proof checked against the headers', async () => {
    const w = await funded()
    const entry = await w.send({ lockingScript: stranger(), satoshis: 10_000 })
    await w.processOutbox()
    expect((await w.ledgerEntry(entry.txid))?.status).toBe('seen')
    await fetch(`${srv.url}/devnet/mine`, { method: 'POST', body: JSON.stringify({ blocks: 1 }) })
    await w.refreshStatuses()
    const e = await w.ledgerEntry(entry.txid)
    expect(e).toMatchObject({ status: 'mined', arcStatus: 'MINED' })
    expect(e?.height).toBeGreaterThan(0)
    expect((await w.db.get('txs', entry.txid))?.proven).toBe(true)
    w.close()
  })

  it.for([
    { response: { status: 409, body: { type: 'https://bitcoin-sv.github.io/arc/#/errors?id=_409', title: 'Generic error', status: 409, detail: 'Transaction could not be processed', instance: null, txid: '{txid}', extraInfo: 'timeout' } }, apply: false, kind: 'transient' },
    { response: { status: 401 }, apply: false, kind: 'config' },
    { response: { status: 503, body: 'Service Unavailable' }, apply: false, kind: 'transient' },
    { response: { status: 200, body: { blockHash: '', blockHeight: 0, extraInfo: '', status: 200, timestamp: '2023-03-09T12:03:48.382910514Z', title: 'OK', txStatus: 'STORED', txid: '{txid}' } }, apply: true, kind: 'in-progress' }
  ])('ARC answers $response.status $kind: coins stay reserved, and a later attempt lands', async (row, ctx) => {
    const f = await fetch(`${srv.url}/devnet/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ route: 'arc-submit', count: 1, apply: row.apply, response: row.response }) })
    await f.text()
    if (f.status === 404) { ctx.skip(); return }
    expect(f.status).toBe(201)
    const w = await funded()
    const entry = await w.send({ lockingScript: stranger(), satoshis: 10_000 })
    await w.processOutbox()
    const first = await w.ledgerEntry(entry.txid)
    expect(first?.status).toBe(row.kind === 'in-progress' ? 'broadcasting' : 'handed-over')
    // The coin stays reserved for this payment; the balance line counts the payment (amount
    // and fee) as being sent, and the change as spendable.
    expect((await w.db.getAllFromIndex('coins', 'status', 'pending')).map(c => [c.satoshis, c.spentBy])).toEqual([[100_000, entry.txid]])
    const held = await w.balance()
    expect(held.pending).toBe(-entry.amount)
    expect(held.spendable + held.pending).toBe(100_000)
    // The next attempt (or status poll) meets the devnet's real answer.
    await w.retryNow()
    await w.refreshStatuses()
    expect((await w.ledgerEntry(entry.txid))?.status).toBe('seen')
    expect((await w.balance()).pending).toBe(0)
    w.close()
  })
})
