// The measure of the devnet's faithfulness: clients nobody here wrote — @bsv/sdk's ARC
// broadcaster, WhatsOnChain ChainTracker and WhatsOnChainBroadcaster, @bsv/wallet-toolbox's
// ARC and WhatsOnChain providers and its Services — pointed at the devnet (their hard-coded
// hosts rewritten to it by a fetch wrapper) must reach the decisions they reach against the
// real services: every route they call exists, a double spend reads as a double spend, an
// unknown parent as an orphan, fees round as ARC's do, and cross-origin browsers may send
// the headers they send. Other hosts (Bitails, Chaintracks) are refused like a network
// failure, so nothing here leaves the machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { ARC, Beef, Hash, MerklePath, P2PKH, SatoshisPerKilobyte, Transaction, Utils, WhatsOnChain, WhatsOnChainBroadcaster } from '@bsv/sdk'
import { ARC as ToolboxARC } from '@bsv/wallet-toolbox/out/src/services/providers/ARC.js'
import { WhatsOnChain as ToolboxWoC } from '@bsv/wallet-toolbox/out/src/services/providers/WhatsOnChain.js'
import { Services } from '@bsv/wallet-toolbox/out/src/services/Services.js'
import { createDefaultWalletServicesOptions } from '@bsv/wallet-toolbox/out/src/services/createDefaultWalletServicesOptions.js'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { arcProblem } from '../../server/devnet/arc.ts'
import { alice, addr, bob, carol, faucet, mine, spend } from './devnet-helpers.ts'

let srv: RunningServer
const base = (): string => srv.url + '/devnet'
const realFetch = globalThis.fetch

interface Call { method: string, route: string, status: number, unrouted: boolean, headers: string[], target: string }
const calls: Call[] = []
const ARC_HOSTS = new Set(['arc.taal.com', 'api.taal.com', 'arc.gorillapool.io', 'arc-test.taal.com', 'testnet.arc.gorillapool.io'])

/** A route template for the log: ids, hashes, heights and addresses folded. */
function template (path: string): string {
  return path.replace(/[0-9a-f]{64}/g, '{hash}').replace(/\/\d+\//g, '/{n}/').replace(/\/[1-9A-HJ-NP-Za-km-z]{25,40}\//g, '/{address}/')
}

beforeAll(async () => {
  srv = await startAppServer({ host: '127.0.0.1', port: 0, devnetFile: ':memory:' })
  const devnetOrigin = new URL(srv.url).origin
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const u = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    if (u.origin === devnetOrigin) return await realFetch(input, init)
    let target: string
    const woc = /^\/v1\/bsv\/(main|test)(\/.*)$/.exec(u.pathname)
    if (u.host === 'api.whatsonchain.com' && woc != null) target = `${base()}/chain${woc[2]}${u.search}`
    else if (ARC_HOSTS.has(u.host)) target = `${base()}/arc${u.pathname.replace(/^\/arc(?=\/v1)/, '')}${u.search}`
    else throw new TypeError(`fetch failed: ${u.host} is not reachable from this test`)
    const res = await realFetch(target, init)
    const path = new URL(target).pathname.slice('/devnet'.length)
    const headers = Object.keys((init?.headers ?? {}) as Record<string, string>).map(h => h.toLowerCase())
    calls.push({ method: init?.method ?? 'GET', route: template(path), status: res.status, unrouted: res.headers.get('x-devnet-unrouted') === '1', headers, target })
    return res
  }
})

afterAll(async () => {
  globalThis.fetch = realFetch
  await srv.close()
})

/** A funded, mined coin for `k` with its merkle path attached (so BEEFs and verify() work). */
async function provenCoin (k = alice, sats = 50_000): Promise<Transaction> {
  const tx = await faucet(base(), k, sats)
  await mine(base())
  const st = await (await realFetch(`${base()}/arc/v1/tx/${tx.id('hex')}`)).json() as { merklePath: string }
  tx.merklePath = MerklePath.fromHex(st.merklePath)
  return tx
}

describe('@bsv/sdk clients against the devnet', () => {
  it('ARC broadcaster: success, double spend, orphan and fee decisions as against ARC', async () => {
    const arc = new ARC('https://arc.gorillapool.io', { apiKey: 'test-key', callbackUrl: 'https://example.org/cb', callbackToken: 't' })
    const coin = await provenCoin()
    const ok = await spend(coin, 0, alice, bob, 10_000)
    expect(await arc.broadcast(ok)).toMatchObject({ status: 'success', txid: ok.id('hex') })
    const rival = await spend(coin, 0, alice, carol, 20_000)
    const ds = await arc.broadcast(rival)
    expect(ds).toMatchObject({ status: 'error', code: 'DOUBLE_SPEND_ATTEMPTED', txid: rival.id('hex'), more: { competingTxs: [ok.id('hex')] } })
    // A child of a parent nobody has seen: the node's orphan pool.
    const parent = await spend(ok, 1, alice, bob, 5_000)
    const child = await spend(parent, 0, bob, carol, 1_000)
    expect(await arc.broadcast(child)).toMatchObject({ status: 'error', code: 'SEEN_IN_ORPHAN_MEMPOOL' })
    // Fees: one satoshi under ceil(size * 50 / 1000) is ARC's 465; exactly that passes.
    const short = await spend(parent, 1, alice, bob, 1_000, -1)
    const refused = await arc.broadcast(short)
    expect(refused).toMatchObject({ status: 'error', code: '465', description: 'Fees are insufficient', txid: short.id('hex') })
    expect(JSON.stringify((refused as { more?: unknown }).more)).toContain('minimum expected fee')
    expect(await arc.broadcast(parent)).toMatchObject({ status: 'success' })
    expect((await arc.broadcast(await spend(parent, 1, alice, bob, 1_000, 0))).status).toBe('success')
    // broadcastMany (POST /v1/txs): one answer per transaction, the double spend among them.
    const other = await provenCoin()
    const a1 = await spend(other, 0, alice, bob, 1_000)
    const a2 = await spend(other, 0, alice, carol, 2_000)
    const many = await arc.broadcastMany([a1, a2]) as Array<{ txid: string, txStatus: string, competingTxs: string[] | null }>
    expect(many.map(m => [m.txid, m.txStatus])).toEqual([[a1.id('hex'), 'SEEN_ON_NETWORK'], [a2.id('hex'), 'DOUBLE_SPEND_ATTEMPTED']])
  })

  it('WhatsOnChain ChainTracker: the tip height, merkle roots per height, and tx.verify() on devnet proofs', async () => {
    const tracker = new WhatsOnChain('main', { apiKey: 'woc-key' })
    const coin = await provenCoin()
    const height = await srv.devnet!.height()
    expect(await tracker.currentHeight()).toBe(height)
    const root = coin.merklePath!.computeRoot(coin.id('hex'))
    expect(await tracker.isValidRootForHeight(root, coin.merklePath!.blockHeight)).toBe(true)
    expect(await tracker.isValidRootForHeight('ab'.repeat(32), coin.merklePath!.blockHeight)).toBe(false)
    expect(await tracker.isValidRootForHeight(root, height + 100)).toBe(false)
    const child = await spend(coin, 0, alice, bob, 1_000)
    expect(await child.verify(tracker, new SatoshisPerKilobyte(50))).toBe(true)
    const forged = Transaction.fromHex(coin.toHex())
    forged.merklePath = MerklePath.fromHex(coin.merklePath!.toHex())
    forged.merklePath.blockHeight -= 1
    // The SDK's decision on a proof the chain does not back: it refuses (by throwing).
    await expect(forged.verify(tracker)).rejects.toThrow(/Invalid merkle path/)
  })

  it('WhatsOnChainBroadcaster: success, then the node\'s conflict for a double spend', async () => {
    const b = new WhatsOnChainBroadcaster('main')
    const coin = await provenCoin()
    const ok = await spend(coin, 0, alice, bob, 1_000)
    expect(await b.broadcast(ok)).toMatchObject({ status: 'success', txid: ok.id('hex') })
    const rival = await spend(coin, 0, alice, carol, 2_000)
    const r = await b.broadcast(rival)
    expect(r).toMatchObject({ status: 'error' })
    expect(String((r as { description?: string }).description)).toContain('txn-mempool-conflict')
  })
})

describe('@bsv/wallet-toolbox providers against the devnet', () => {
  it('ARC provider: postBeef success (parent and child), double spend and orphan both read as doubleSpend', async () => {
    const arc = new ToolboxARC('https://arc.taal.com', { apiKey: 'mainnet_key', deploymentId: 'handover-test' })
    const coin = await provenCoin()
    const parent = await spend(coin, 0, alice, bob, 10_000)
    const child = await spend(parent, 0, bob, carol, 2_000)
    const beef = Beef.fromBinary(child.toBEEF())
    const r = await arc.postBeef(beef, [parent.id('hex'), child.id('hex')])
    expect(r.status).toBe('success')
    expect(r.txidResults.map(t => [t.txid, t.status])).toEqual(expect.arrayContaining([[parent.id('hex'), 'success'], [child.id('hex'), 'success']]))
    const rival = await spend(coin, 0, alice, carol, 9_000)
    const ds = await arc.postBeef(Beef.fromBinary(rival.toBEEF()), [rival.id('hex')])
    expect(ds.status).toBe('error')
    expect(ds.txidResults[0]).toMatchObject({ txid: rival.id('hex'), doubleSpend: true, competingTxs: [parent.id('hex')] })
    const unseenParent = await spend(parent, 1, alice, bob, 1_000)
    const orphan = await spend(unseenParent, 0, bob, carol, 500)
    const o = await arc.postRawTx(orphan.toHexEF())
    expect(o).toMatchObject({ status: 'error', doubleSpend: true })
    expect(await arc.getTxData(child.id('hex'))).toMatchObject({ txid: child.id('hex'), txStatus: 'SEEN_ON_NETWORK' })
  })

  it('WhatsOnChain provider: raw tx, merkle path, utxo status, script history, tx status, broadcast, rate, chain info, headers', async () => {
    const woc = new ToolboxWoC('main', { apiKey: 'woc-key' })
    const coin = await provenCoin(bob, 40_000)
    const txid = coin.id('hex')
    expect((await woc.getRawTxResult(txid)).rawTx).toEqual(coin.toBinary())
    const mp = await woc.getMerklePath(txid, { hashToHeader: async (hash: string) => (await woc.getBlockHeaderByHash(hash))! } as never)
    expect(mp.error).toBeUndefined()
    expect(mp.merklePath!.computeRoot(txid)).toBe(mp.header!.merkleRoot)
    const script = new P2PKH().lock(addr(bob)).toHex()
    expect(await woc.getUtxoStatus(script, 'script', `${txid}.0`)).toMatchObject({ status: 'success', isUtxo: true })
    const hashLE = Utils.toHex(Hash.sha256(Utils.toArray(script, 'hex')))
    const hist = await woc.getScriptHashHistory(hashLE)
    expect(hist.status).toBe('success')
    expect(hist.history).toContainEqual({ txid, height: coin.merklePath!.blockHeight })
    const pay = await spend(coin, 0, bob, carol, 5_000)
    const posted = await woc.postRawTx(pay.toHex())
    expect(posted).toMatchObject({ status: 'success', txid: pay.id('hex') })
    const again = await woc.postRawTx(pay.toHex())
    expect(again.notes?.map(n => n.what)).toContain('postRawTxSuccessAlreadyInMempool')
    const rival = await spend(coin, 0, bob, alice, 6_000)
    expect(await woc.postRawTx(rival.toHex())).toMatchObject({ status: 'error', doubleSpend: true })
    const st = await woc.getStatusForTxids([txid, pay.id('hex'), 'cd'.repeat(32)])
    expect(st.results).toEqual([
      { txid, status: 'mined', depth: 1 },
      { txid: pay.id('hex'), status: 'known', depth: 0 },
      { txid: 'cd'.repeat(32), status: 'unknown', depth: undefined }
    ])
    const rate = await woc.updateBsvExchangeRate()
    expect(rate.rate).toBeGreaterThan(0)
    const info = await woc.getChainInfo()
    expect(info.blocks).toBe(await srv.devnet!.height())
    const header = await woc.getBlockHeaderByHash(info.bestblockhash)
    expect(header).toMatchObject({ height: info.blocks, hash: info.bestblockhash })
    expect(await woc.getBlockHeaderByHash('ef'.repeat(32))).toBeUndefined()
    // After the spend is mined the coin is no longer a UTXO.
    await mine(base())
    expect(await woc.getUtxoStatus(script, 'script', `${txid}.0`)).toMatchObject({ status: 'success', isUtxo: false })
  })

  it('Services: raw tx, utxo status, tx status, script history, postBeef success and double spend, exchange rate', async () => {
    const options = createDefaultWalletServicesOptions('main')
    options.arcUrl = 'https://arc.taal.com'
    options.arcGorillaPoolUrl = 'https://arc.gorillapool.io'
    const services = new Services(options)
    const coin = await provenCoin(carol, 30_000)
    const txid = coin.id('hex')
    expect((await services.getRawTx(txid)).rawTx).toEqual(coin.toBinary())
    const script = new P2PKH().lock(addr(carol)).toHex()
    expect(await services.getUtxoStatus(script, 'script', `${txid}.0`)).toMatchObject({ status: 'success', isUtxo: true })
    expect((await services.getStatusForTxids([txid])).results).toEqual([{ txid, status: 'mined', depth: 1 }])
    const hashLE = Utils.toHex(Hash.sha256(Utils.toArray(script, 'hex')))
    expect((await services.getScriptHashHistory(hashLE)).history).toContainEqual({ txid, height: coin.merklePath!.blockHeight })
    const pay = await spend(coin, 0, carol, bob, 3_000)
    const posted = await services.postBeef(Beef.fromBinary(pay.toBEEF()), [pay.id('hex')])
    expect(posted.some(r => r.status === 'success')).toBe(true)
    const rival = await spend(coin, 0, carol, alice, 4_000)
    const ds = await services.postBeef(Beef.fromBinary(rival.toBEEF()), [rival.id('hex')])
    expect(ds.every(r => r.status === 'error')).toBe(true)
    // Every provider that could be reached calls it a double spend (Bitails is not reachable here).
    const reached = ds.filter(r => !/bitails/i.test(r.name))
    expect(reached.length).toBeGreaterThanOrEqual(2)
    for (const r of reached) expect(r.txidResults[0]).toMatchObject({ doubleSpend: true })
    expect(await services.getBsvExchangeRate()).toBeGreaterThan(0)
  })
})

describe('what those clients called', () => {
  it('every route they called exists on the devnet, and a cross-origin browser may send their headers', async () => {
    const routes = [...new Set(calls.map(c => `${c.method} ${c.route}`))].sort()
    console.log('routes called by third-party clients:\n  ' + routes.join('\n  '))
    expect(calls.filter(c => c.unrouted).map(c => `${c.method} ${c.route}`)).toEqual([])
    for (const r of ['POST /arc/v1/tx', 'POST /arc/v1/txs', 'GET /arc/v1/tx/{hash}', 'GET /chain/block/headers', 'GET /chain/block/{n}/header', 'GET /chain/block/{hash}/header',
      'GET /chain/script/{hash}/unspent/all', 'GET /chain/script/{hash}/confirmed/history', 'GET /chain/script/{hash}/unconfirmed/history',
      'POST /chain/txs/status', 'POST /chain/tx/raw', 'GET /chain/tx/{hash}/hex', 'GET /chain/tx/{hash}/proof/tsc', 'GET /chain/chain/info', 'GET /chain/exchangerate']) {
      expect(routes).toContain(r)
    }
    const safelisted = new Set(['accept', 'accept-language', 'content-language'])
    const seen = new Set<string>()
    for (const c of calls) {
      const key = `${c.method} ${c.route} ${c.headers.join(',')}`
      if (seen.has(key)) continue
      seen.add(key)
      const wanted = c.headers.filter(h => !safelisted.has(h))
      const pre = await realFetch(c.target, { method: 'OPTIONS', headers: { origin: 'https://wallet.example', 'access-control-request-method': c.method, 'access-control-request-headers': wanted.join(',') } })
      expect(pre.status).toBeLessThan(300)
      expect(pre.headers.get('access-control-allow-origin')).toBe('*')
      expect(pre.headers.get('access-control-allow-methods')).toContain(c.method)
      const allowed = (pre.headers.get('access-control-allow-headers') ?? '').split(/,\s*/)
      for (const h of wanted) expect(allowed, `${c.method} ${c.route} sends ${h}`).toContain(h)
    }
  })
})

describe('devnet answers against the published fixtures', () => {
  const load = (dir: string): Array<{ name: string, status: number, body: any }> =>
    readdirSync(`tests/fixtures/${dir}`).map(name => ({ name, ...JSON.parse(readFileSync(`tests/fixtures/${dir}/${name}`, 'utf8')) }))

  it('ARC errors carry the spec\'s type, title and detail for their status', () => {
    // error-*.json copy status.go; the arc.yaml 463 example pairs 463 with the older title "Invalid outputs".
    for (const f of load('arc').filter(f => f.name.startsWith('error-'))) {
      const ours = arcProblem(f.status, f.body.extraInfo, f.body.txid ?? undefined).body as Record<string, unknown>
      expect(Object.keys(ours).sort(), f.name).toEqual(Object.keys(f.body).sort())
      expect({ type: ours.type, title: ours.title, detail: ours.detail, status: ours.status }, f.name).toEqual({ type: f.body.type.replace(/"$/, ''), title: f.body.title, detail: f.body.detail, status: f.status })
    }
  })

  it('ARC 200 answers and WhatsOnChain items have the fields the docs show', async () => {
    const coin = await faucet(base(), bob, 20_000)
    const pay = await spend(coin, 0, bob, alice, 1_000)
    const ours = await (await realFetch(`${base()}/arc/v1/tx`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: pay.toHex() })).json() as Record<string, unknown>
    const spec = load('arc').find(f => f.name === 'post-tx-200-seen-on-network.json')!.body
    for (const k of Object.keys(spec)) expect(ours, k).toHaveProperty(k)
    expect(typeof ours.blockHeight).toBe(typeof spec.blockHeight)
    const all = load('woc').find(f => f.name === 'address-unspent-all.json')!.body
    const list = await (await realFetch(`${base()}/chain/address/${addr(alice)}/unspent/all`)).json() as { result: Array<Record<string, unknown>> }
    const unconf = list.result.find(u => u.status === 'unconfirmed')!
    const conf = list.result.find(u => u.status === 'confirmed')
    expect(Object.keys(unconf).sort()).toEqual(Object.keys(all.result[0]).sort())
    if (conf !== undefined) expect(Object.keys(conf).sort()).toEqual(Object.keys(all.result[1]).sort())
    expect(Object.keys(list).sort()).toEqual(expect.arrayContaining(Object.keys(all).sort()))
  })
})
