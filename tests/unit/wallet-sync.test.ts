// Sync and restore of a real Wallet (IndexedDB in memory) against the devnet, with
// WhatsOnChain's behaviour in front of it (tests/helpers/woc-double.ts): unconfirmed items
// without height, bulk endpoints, and a 3 requests/s limit answered with 429 + Retry-After.
import 'fake-indexeddb/auto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { ReceiveSession } from '../../src/app/payee-session.ts'
import { DEFAULT_SETTINGS } from '../../src/app/settings.ts'
import { Wallet, type SyncProgress } from '../../src/app/wallet.ts'
import { addressOf, GAP_LIMIT, Keyring, keyPath, RESTORE_LAYOUTS } from '../../src/core/keys.ts'
import type { Settings } from '../../src/store/records.ts'
import { wocDouble, type UnspentItem, type WocDouble } from '../helpers/woc-double.ts'

let srv: RunningServer
const realFetch = globalThis.fetch.bind(globalThis)
let dbCount = 0

beforeAll(async () => { srv = await startAppServer({ host: '127.0.0.1', port: 0, devnetFile: ':memory:' }) })
afterAll(async () => { await srv.close() })
afterEach(() => { vi.unstubAllGlobals() })

function settings (chainRps: number, arc = '/devnet/arc'): Settings {
  const s = structuredClone(DEFAULT_SETTINGS)
  s.endpoints.devnet = { arc, chain: '/devnet/chain', chainRps }
  return s
}

/** Puts WoC's behaviour in front of the devnet for every fetch the wallet makes. */
function woc (perSecond?: number, editUnspent?: (i: UnspentItem) => UnspentItem): WocDouble {
  const d = wocDouble({ chainBase: srv.url + '/devnet/chain', perSecond, inner: realFetch, editUnspent })
  vi.stubGlobal('fetch', d.fetch)
  return d
}

const seedOf = (n: number): number[] => Array.from({ length: 64 }, (_, i) => (i * 31 + n) & 0xff)
const open = async (seed: number[], s: Settings): Promise<Wallet> => await Wallet.open(seed, s, srv.url, `sync-test-${++dbCount}`)

async function faucet (address: string, satoshis: number): Promise<string> {
  const r = await realFetch(srv.url + '/devnet/faucet', { method: 'POST', body: JSON.stringify({ address, satoshis }) })
  expect(r.status).toBe(200)
  return ((await r.json()) as { txid: string }).txid
}
const mine = async (): Promise<void> => { await realFetch(srv.url + '/devnet/mine', { method: 'POST', body: '{"blocks":1}' }) }

describe('sync', () => {
  it('counts a coin on an address whose only coin is unconfirmed (WoC lists it without height)', async () => {
    const d = woc()
    const w = await open(seedOf(1), settings(1000))
    const addr = await w.receiveAddress()
    await faucet(addr.address, 42_000)
    const report = await w.sync()
    expect(report.rejected).toEqual([])
    expect(report.newCoins).toBe(1)
    expect((await w.balance()).spendable).toBe(42_000)
    expect(d.requests).toBeGreaterThan(0)
    w.close()
  })

  it('takes a coin WoC marks isSpentInMempoolTx as spent at once, and never imports one so marked', async () => {
    let spentInMempool = new Set<string>()
    woc(undefined, i => spentInMempool.has(i.tx_hash) ? { ...i, isSpentInMempoolTx: true } : i)
    const w = await open(seedOf(9), settings(1000))
    const addr = await w.receiveAddress()
    const first = await faucet(addr.address, 11_000)
    await w.sync()
    expect((await w.balance()).spendable).toBe(11_000)
    // Another device with these words spends it: the mempool knows before any block.
    spentInMempool = new Set([first])
    await w.sync()
    expect((await w.balance()).spendable).toBe(0)
    // A new coin already spent in the mempool is not counted either.
    const second = await faucet(addr.address, 12_000)
    spentInMempool = new Set([first, second])
    const report = await w.sync()
    expect(report.newCoins).toBe(0)
    expect((await w.balance()).spendable).toBe(0)
    w.close()
  })

  it('checks 100 addresses in about 10 requests through the bulk endpoints', async () => {
    const d = woc()
    const w = await open(seedOf(2), settings(1000))
    // 100 addresses handed out on the receive chain.
    for (let i = 0; i < 100; i++) await w.db.put('addresses', { ...(await w.receiveAddress()), used: true })
    d.reset()
    const report = await w.sync()
    expect(report.newCoins).toBe(0)
    // 100 receive addresses + lookahead, and the change chain's lookahead: 2 requests per 20.
    expect(d.requests).toBeLessThanOrEqual(14)
    w.close()
  })
})

describe('restore', () => {
  it('finds coins on three wallet layouts under a 3 requests/s limit, riding out 429s, and reports progress', async () => {
    const seed = seedOf(3)
    const keys = new Keyring(seed)
    const at = (chain: string, index: number): string => addressOf(keys.privateKey(keyPath(chain, index)), 'devnet')
    const [handover, bip44, , , relysia] = RESTORE_LAYOUTS
    await faucet(at(handover!.receive, 0), 10_000)
    await faucet(at(bip44!.change, 4), 20_000)
    await faucet(at(relysia!.receive, 17), 30_000)
    await mine()
    await faucet(at(relysia!.receive, 30), 40_000) // beyond the first window, and unconfirmed
    const d = woc(3)
    const w = await open(seed, settings(3))
    const seen: SyncProgress[] = []
    const t0 = Date.now()
    const report = await w.sync({ restore: true, onProgress: p => seen.push(p) })
    const secs = (Date.now() - t0) / 1000
    expect(report.rejected).toEqual([])
    expect((await w.balance()).spendable).toBe(100_000)
    // Progress only goes forward and ends complete.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.checked).toBeGreaterThanOrEqual(seen[i - 1]!.checked)
    expect(seen.at(-1)!.checked).toBe(seen.at(-1)!.total)
    expect(seen.at(-1)!.total).toBeGreaterThanOrEqual(6 * (GAP_LIMIT + 10))
    // Paced to the limit: few or no 429s, and no more than ~3 requests a second.
    expect(d.requests / secs).toBeLessThanOrEqual(3.5)
    expect(d.requests - d.limited).toBeLessThan(60)
    w.close()
  })

  it('finds the coins of a payment code made after 100 cancelled ones', async () => {
    woc()
    const seed = seedOf(4)
    const w = await open(seed, settings(1000))
    for (let i = 0; i < 100; i++) {
      const s = await ReceiveSession.create(w, { satoshis: 1000 + i })
      s.cancel()
      await vi.waitFor(async () => { expect((await w.session(s.paymentId))?.state).toMatchObject({ phase: 'cancelled' }) })
      s.close()
    }
    const paid = await ReceiveSession.create(w, { satoshis: 5_000 })
    const script = paid.request.outputs[0]!.script
    const rec = (await w.db.getAll('addresses')).find(a => a.lockingScript === script)!
    expect(rec.index).toBeLessThan(GAP_LIMIT)
    await faucet(rec.address, 5_000)
    paid.close()
    w.close()

    const restored = await open(seed, settings(1000))
    const report = await restored.sync({ restore: true })
    expect(report.rejected).toEqual([])
    expect((await restored.balance()).spendable).toBe(5_000)
    restored.close()
  })

  it('dates a restored payment by its block, not by the moment of the restore', async () => {
    woc()
    const seed = seedOf(9)
    const keys = new Keyring(seed)
    const txid = await faucet(addressOf(keys.privateKey(keyPath(RESTORE_LAYOUTS[0]!.receive, 2)), 'devnet'), 8_000)
    await mine()
    const height = ((await (await realFetch(srv.url + '/devnet/chain/chain/info')).json()) as { blocks: number }).blocks
    const header = (await (await realFetch(`${srv.url}/devnet/chain/block/${height}/header`)).json()) as { time: number }
    const w = await open(seed, settings(1000))
    await w.sync({ restore: true })
    const entry = (await w.history()).find(l => l.txid === txid)
    expect(entry).toMatchObject({ status: 'mined', height })
    expect(entry!.createdAt).toBe(header.time * 1000)
    w.close()
  })

  it('a deep search finds coins far past the gap on our receive chain (addresses burnt by older versions)', async () => {
    woc()
    const seed = seedOf(8)
    const keys = new Keyring(seed)
    await faucet(addressOf(keys.privateKey(keyPath(RESTORE_LAYOUTS[0]!.receive, 90)), 'devnet'), 7_000)
    const w = await open(seed, settings(1000))
    await w.sync({ restore: true })
    expect((await w.balance()).spendable).toBe(0) // a plain restore stops 20 unused addresses in
    const progress: SyncProgress[] = []
    await w.sync({ deep: true, onProgress: p => progress.push(p) })
    expect((await w.balance()).spendable).toBe(7_000)
    expect(progress.at(-1)!.total).toBeGreaterThanOrEqual(200)
    w.close()
  })

  it('gives an open payment code its own address, and a cancelled one’s to the next code', async () => {
    woc()
    const w = await open(seedOf(5), settings(1000))
    const a = await ReceiveSession.create(w, { satoshis: 1000 })
    await vi.waitFor(async () => { expect(await w.session(a.paymentId)).toBeDefined() })
    const b = await ReceiveSession.create(w, { satoshis: 2000 })
    expect(b.request.outputs[0]!.script).not.toBe(a.request.outputs[0]!.script)
    a.cancel()
    await vi.waitFor(async () => { expect((await w.session(a.paymentId))?.state).toMatchObject({ phase: 'cancelled' }) })
    const c = await ReceiveSession.create(w, { satoshis: 3000 })
    expect(c.request.outputs[0]!.script).toBe(a.request.outputs[0]!.script)
    for (const s of [a, b, c]) s.close()
    w.close()
  })
})

describe('fee judging', () => {
  it('demands the network minimum, not the 100 sat/kB pay fallback, when the miner was never reached', async () => {
    woc()
    const w = await open(seedOf(6), settings(1000, 'http://127.0.0.1:9/arc'))
    expect(await w.minAcceptableFeeRate()).toBe(1)
    expect(await w.feeRate()).toBe(100)
    w.close()
  })

  it('demands the miner policy once learnt, and keeps it for offline use', async () => {
    woc()
    const w = await open(seedOf(7), settings(1000))
    const policy = await w.minAcceptableFeeRate()
    expect(policy).toBe(await w.feeRate())
    w.close()
    // Same device, miner now unreachable: the stored policy is still the yardstick.
    const s = settings(1000, 'http://127.0.0.1:9/arc')
    const again = await Wallet.open(seedOf(7), s, srv.url, `sync-test-${dbCount}`)
    expect(await again.minAcceptableFeeRate()).toBe(policy)
    again.close()
  })
})
