// The devnet is the chain every other test trusts, so it must really reject bad spends, and
// answer in the shapes and status codes of ARC (arc.yaml) and WhatsOnChain (its docs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Hash, LockingScript, MerklePath, P2PKH, Transaction, UnlockingScript, Utils } from '@bsv/sdk'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { alice, addr, arcFee, bob, carol, faucet, mine, spend } from './devnet-helpers.ts'

let srv: RunningServer
const base = (): string => srv.url + '/devnet'

async function post (body: string | Uint8Array<ArrayBuffer>, type: string, headers: Record<string, string> = {}): Promise<{ status: number, json: any }> {
  const r = await fetch(base() + '/arc/v1/tx', { method: 'POST', headers: { 'content-type': type, ...headers }, body })
  return { status: r.status, json: await r.json() }
}
const status = async (txid: string): Promise<any> => await (await fetch(`${base()}/arc/v1/tx/${txid}`)).json()
const woc = async (path: string, init?: RequestInit): Promise<any> => await (await fetch(`${base()}/chain${path}`, init)).json()

beforeAll(async () => { srv = await startAppServer({ host: '127.0.0.1', port: 0, devnetFile: ':memory:' }) })
afterAll(async () => { await srv.close() })

describe('devnet as ARC', () => {
  it('funds an address from matured coinbase and mines it with a merkle proof that verifies', async () => {
    const funding = await faucet(base(), alice, 100_000)
    const txid = funding.id('hex')
    expect((await status(txid)).txStatus).toBe('SEEN_ON_NETWORK')
    await mine(base())
    const st = await status(txid)
    expect(st).toMatchObject({ txStatus: 'MINED', txid, extraInfo: '', competingTxs: null })
    const path = MerklePath.fromHex(st.merklePath)
    const header = await woc(`/block/${st.blockHeight}/header`)
    expect(path.computeRoot(txid)).toBe(header.merkleroot)
    const utxos = await woc(`/address/${addr(alice)}/confirmed/unspent`)
    expect(utxos.result).toEqual([{ height: st.blockHeight, tx_pos: 0, tx_hash: txid, value: 100_000, isSpentInMempoolTx: false, status: 'confirmed' }])
  })

  it('accepts raw hex, EF JSON and BEEF V1 binary, and is idempotent on resubmission', async () => {
    const a = await faucet(base(), alice, 60_000)
    const t1 = await spend(a, 0, alice, bob, 10_000)
    const first = await post(t1.toHex(), 'text/plain')
    expect(first).toMatchObject({ status: 200, json: { status: 200, title: 'OK', txid: t1.id('hex'), txStatus: 'SEEN_ON_NETWORK', blockHash: '', blockHeight: 0, merklePath: '', competingTxs: null } })
    expect((await post(t1.toHex(), 'text/plain')).json.txStatus).toBe('SEEN_ON_NETWORK')
    const t2 = await spend(t1, 1, alice, bob, 5_000)
    expect((await post(JSON.stringify({ rawTx: t2.toHexEF() }), 'application/json')).json.txStatus).toBe('SEEN_ON_NETWORK')
    const t3 = await spend(t2, 1, alice, bob, 2_000)
    const t4 = await spend(t3, 1, alice, bob, 1_000)
    const r = await post(new Uint8Array(t4.toBEEF()), 'application/octet-stream')
    expect(r.status).toBe(200)
    expect(r.json.txid).toBe(t4.id('hex'))
    expect((await status(t3.id('hex'))).txStatus).toBe('SEEN_ON_NETWORK')
  })

  it('refuses a bad signature with 461: generic detail, the reason in extraInfo', async () => {
    const a = await faucet(base(), alice, 30_000)
    const forged = new Transaction()
    forged.addInput({ sourceTransaction: a, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(bob) })
    forged.addOutput({ lockingScript: new P2PKH().lock(addr(bob)), satoshis: 29_000 })
    await forged.sign()
    const r = await post(forged.toHex(), 'text/plain')
    expect(r.status).toBe(461)
    expect(r.json).toMatchObject({
      type: 'https://bitcoin-sv.github.io/arc/#/errors?id=_461',
      title: 'Malformed transaction',
      status: 461,
      detail: 'Transaction is malformed and cannot be processed',
      instance: null,
      txid: forged.id('hex')
    })
    expect(r.json.extraInfo).toMatch(/^arc error 461: input 0/)
  })

  it('reports a double spend as 200 DOUBLE_SPEND_ATTEMPTED on both sides until a block decides', async () => {
    const a = await faucet(base(), alice, 40_000)
    const first = await spend(a, 0, alice, bob, 10_000)
    const second = await spend(a, 0, alice, carol, 20_000)
    expect((await post(first.toHex(), 'text/plain')).json.txStatus).toBe('SEEN_ON_NETWORK')
    const r = await post(second.toHex(), 'text/plain')
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ txStatus: 'DOUBLE_SPEND_ATTEMPTED', txid: second.id('hex'), competingTxs: [first.id('hex')] })
    expect(await status(first.id('hex'))).toMatchObject({ txStatus: 'DOUBLE_SPEND_ATTEMPTED', competingTxs: [second.id('hex')] })
    // The first seen is mined; the other is rejected.
    await mine(base())
    expect((await status(first.id('hex'))).txStatus).toBe('MINED')
    expect(await status(second.id('hex'))).toMatchObject({ txStatus: 'REJECTED', extraInfo: expect.stringContaining(first.id('hex')) })
    // Carol never got a coin.
    expect((await woc(`/address/${addr(carol)}/unconfirmed/unspent`)).result).toEqual([])
  })

  it('puts a spend of an unknown parent in the orphan mempool (EF) and refuses raw it cannot extend (460)', async () => {
    const a = await faucet(base(), alice, 50_000)
    const parent = await spend(a, 0, alice, bob, 20_000)
    const child = await spend(parent, 0, bob, carol, 5_000)
    const orphan = await post(JSON.stringify({ rawTx: child.toHexEF() }), 'application/json')
    expect(orphan).toMatchObject({ status: 200, json: { txStatus: 'SEEN_IN_ORPHAN_MEMPOOL', txid: child.id('hex') } })
    expect((await status(child.id('hex'))).txStatus).toBe('SEEN_IN_ORPHAN_MEMPOOL')
    const raw = await post(child.toHex(), 'text/plain')
    expect(raw.status).toBe(460)
    expect(raw.json.detail).toBe('Missing input scripts: Transaction could not be transformed to extended format')
    // The parent arrives: the orphan joins the mempool, as ARC's SEEN_IN_ORPHAN_MEMPOOL → SEEN_ON_NETWORK.
    expect((await post(parent.toHex(), 'text/plain')).json.txStatus).toBe('SEEN_ON_NETWORK')
    expect((await status(child.id('hex'))).txStatus).toBe('SEEN_ON_NETWORK')
  })

  it('reads a spend of an output already spent in a block as an orphan (arc#770), not a double spend', async () => {
    const a = await faucet(base(), alice, 30_000)
    const first = await spend(a, 0, alice, bob, 10_000)
    await post(first.toHex(), 'text/plain')
    await mine(base())
    const late = await spend(a, 0, alice, carol, 10_000)
    const r = await post(late.toHexEF(), 'text/plain')
    expect(r.json).toMatchObject({ txStatus: 'SEEN_IN_ORPHAN_MEMPOOL', competingTxs: null })
  })

  it('rounds the required fee up as ARC does: exactly ceil(size * 50 / 1000) passes, one satoshi less is 465', async () => {
    const a = await faucet(base(), alice, 30_000)
    const short = await spend(a, 0, alice, bob, 1_000, -1)
    const r = await post(short.toHexEF(), 'text/plain')
    expect(r.status).toBe(465)
    expect(r.json.detail).toBe('Fees are insufficient')
    const size = short.toBinary().length
    expect(size % 20).not.toBe(0) // a size where rounding matters (50 sat/kB = 1 sat per 20 bytes)
    expect(r.json.extraInfo).toBe(`arc error 465: transaction fee is too low\nminimum expected fee: ${arcFee(size)}, actual fee: ${arcFee(size) - 1}`)
    const exact = await spend(a, 0, alice, bob, 1_000, 0)
    expect((await post(exact.toHexEF(), 'text/plain')).json.txStatus).toBe('SEEN_ON_NETWORK')
    const policy = await (await fetch(base() + '/arc/v1/policy')).json() as any
    expect(policy.policy.miningFee).toEqual({ satoshis: 50, bytes: 1000 })
  })

  it('answers 400 for what is not hex or has no body, and 463 for a BEEF that does not decode', async () => {
    for (const body of ['zz', '0', ' 00']) expect((await post(body, 'text/plain')).status).toBe(400)
    expect((await post(JSON.stringify({ rawTx: 'xyz' }), 'application/json')).status).toBe(400)
    expect((await post('', 'text/plain')).status).toBe(400)
    expect((await post('0100', 'application/x-www-form-urlencoded')).status).toBe(400)
    expect((await post('0100beef00', 'text/plain')).status).toBe(463)
    // The 11-byte BEEFs that used to run the SDK's reader out of memory.
    for (const beef of ['0100beef00feffffff7f00', '0100beefffffffffffffff', '0200beef00ff0000000001']) {
      const r = await post(beef, 'text/plain')
      expect(r.status).toBe(463)
      expect(r.json.extraInfo).toMatch(/error decoding BEEF/)
    }
    expect((await fetch(`${base()}/arc/v1/tx/${'ab'.repeat(32)}`)).status).toBe(404)
  })

  it('applies ARC\'s common checks: zero-value outputs (464), non-push-only unlocking scripts (463)', async () => {
    const a = await faucet(base(), alice, 30_000)
    const zero = await spend(a, 0, alice, bob, 1_000)
    zero.outputs[0]!.satoshis = 0
    zero.outputs[1]!.satoshis! += 1_000
    await zero.sign()
    const r = await post(zero.toHexEF(), 'text/plain')
    expect(r.status).toBe(464)
    expect(r.json.extraInfo).toBe('arc error 464: transaction output is invalid\noutput 0 satoshis is invalid')
    const notPush = await spend(a, 0, alice, bob, 1_000)
    notPush.inputs[0]!.unlockingScript = UnlockingScript.fromASM(`${notPush.inputs[0]!.unlockingScript!.toASM()} OP_DROP OP_DUP`)
    expect((await post(notPush.toHexEF(), 'text/plain')).status).toBe(463)
  })

  it('runs scripts off the event loop: a CPU-bomb script is refused within the budget while the server keeps answering', async () => {
    const a = await faucet(base(), alice, 30_000)
    // 520 bytes doubled 12 times (2 MB), then hashed 20,000 times: minutes of work if run inline.
    const chunks: Array<{ op: number, data?: number[] }> = [{ op: 0x4d, data: Array(520).fill(7) }]
    for (let i = 0; i < 12; i++) chunks.push({ op: 0x76 }, { op: 0x7e })
    for (let i = 0; i < 20_000; i++) chunks.push({ op: 0x76 }, { op: 0xa8 }, { op: 0x75 })
    chunks.push({ op: 0x75 }, { op: 0x51 })
    const bomb = new LockingScript(chunks)
    const setup = new Transaction()
    setup.addInput({ sourceTransaction: a, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(alice) })
    setup.addOutput({ lockingScript: bomb, satoshis: 20_000 })
    await setup.sign()
    expect((await post(setup.toHexEF(), 'text/plain')).json.txStatus).toBe('SEEN_ON_NETWORK')
    const detonate = new Transaction()
    detonate.addInput({ sourceTransaction: setup, sourceOutputIndex: 0, unlockingScript: new UnlockingScript([]) })
    detonate.addOutput({ lockingScript: new P2PKH().lock(addr(bob)), satoshis: 10_000 })
    const started = Date.now()
    const pending = post(detonate.toHexEF(), 'text/plain')
    for (let i = 0; i < 3; i++) {
      await new Promise(resolve => setTimeout(resolve, 500))
      const t = Date.now()
      expect((await fetch(`${base()}/chain/chain/info`)).status).toBe(200)
      expect(Date.now() - t).toBeLessThan(1000)
    }
    const r = await pending
    expect(r.status).toBe(461)
    expect(r.json.extraInfo).toMatch(/budget/)
    expect(Date.now() - started).toBeLessThan(15_000)
    // The next ordinary payment is checked by a fresh worker.
    const b = await faucet(base(), alice, 30_000)
    expect((await post((await spend(b, 0, alice, bob, 1_000)).toHex(), 'text/plain')).json.txStatus).toBe('SEEN_ON_NETWORK')
  })

  it('answers STORED / ANNOUNCED_TO_NETWORK when X-MaxTimeout runs out before the network sees the tx', async () => {
    await fetch(base() + '/config', { method: 'POST', body: JSON.stringify({ arcAnnounceDelayMs: 500, arcSeenDelayMs: 2500 }) })
    try {
      const a = await faucet(base(), alice, 30_000)
      const t1 = await spend(a, 0, alice, bob, 1_000)
      const started = Date.now()
      const r = await post(t1.toHex(), 'text/plain', { 'X-MaxTimeout': '1' })
      expect(r.json.txStatus).toBe('ANNOUNCED_TO_NETWORK')
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
      const t2 = await spend(t1, 1, alice, bob, 1_000)
      expect((await post(t2.toHex(), 'text/plain', { 'X-WaitFor': 'STORED' })).json.txStatus).toBe('STORED')
      await expect.poll(async () => (await status(t1.id('hex'))).txStatus, { timeout: 5000 }).toBe('SEEN_ON_NETWORK')
      expect((await post(t2.toHex(), 'text/plain', { 'X-MaxTimeout': '31' })).status).toBe(400)
      expect((await post(t2.toHex(), 'text/plain', { 'X-WaitFor': 'NOPE' })).status).toBe(400)
    } finally {
      await fetch(base() + '/config', { method: 'POST', body: JSON.stringify({ arcAnnounceDelayMs: 0, arcSeenDelayMs: 0 }) })
    }
  })

  it('reports MINED_IN_STALE_BLOCK after a reorg until the tx is mined again', async () => {
    const a = await faucet(base(), alice, 30_000)
    await mine(base())
    const before = await status(a.id('hex'))
    expect(before.txStatus).toBe('MINED')
    const r = await (await fetch(base() + '/reorg', { method: 'POST', body: JSON.stringify({ depth: 1 }) })).json() as any
    expect(r.staleTxids).toContain(a.id('hex'))
    expect(await status(a.id('hex'))).toMatchObject({ txStatus: 'MINED_IN_STALE_BLOCK', blockHeight: 0, merklePath: '' })
    // WhatsOnChain shows the coin unconfirmed again, without a height.
    const unconf = await woc(`/address/${addr(alice)}/unconfirmed/unspent`)
    expect(unconf.result).toContainEqual(expect.objectContaining({ tx_hash: a.id('hex'), status: 'unconfirmed' }))
    expect(unconf.result.every((u: object) => !('height' in u))).toBe(true)
    await mine(base())
    const after = await status(a.id('hex'))
    expect(after.txStatus).toBe('MINED')
    expect(after.blockHash).not.toBe(before.blockHash)
    expect((await fetch(base() + '/reorg', { method: 'POST', body: JSON.stringify({ depth: 11 }) })).status).toBe(400)
  })
})

describe('devnet fault API', () => {
  it('makes the next submissions answer as told, without (apply: false) or after (apply: true) processing them', async () => {
    const a = await faucet(base(), alice, 30_000)
    const t1 = await spend(a, 0, alice, bob, 1_000)
    const body = { type: 'https://bitcoin-sv.github.io/arc/#/errors?id=_409', title: 'Generic error', status: 409, detail: 'Transaction could not be processed', instance: null, txid: '{txid}', extraInfo: 'timeout' }
    const f = await fetch(base() + '/faults', { method: 'POST', body: JSON.stringify({ route: 'arc-submit', count: 2, response: { status: 409, body } }) })
    expect(f.status).toBe(201)
    expect((await f.json() as any).id).toMatch(/\S/)
    for (let i = 0; i < 2; i++) {
      const r = await post(t1.toHex(), 'text/plain')
      expect(r).toEqual({ status: 409, json: { ...body, txid: t1.id('hex') } })
    }
    expect((await fetch(`${base()}/arc/v1/tx/${t1.id('hex')}`)).status).toBe(404) // not processed
    await fetch(base() + '/faults', { method: 'POST', body: JSON.stringify({ route: 'arc-submit', apply: true, response: { status: 503, body: 'busy' } }) })
    const applied = await fetch(base() + '/arc/v1/tx', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: t1.toHex() })
    expect([applied.status, await applied.text()]).toEqual([503, 'busy'])
    expect((await status(t1.id('hex'))).txStatus).toBe('SEEN_ON_NETWORK') // processed anyway
    await fetch(base() + '/faults', { method: 'POST', body: JSON.stringify({ route: 'arc-status', response: { status: 200, body: { txid: '{txid}', txStatus: 'REJECTED', extraInfo: 'fault' } } }) })
    expect(await status(t1.id('hex'))).toEqual({ txid: t1.id('hex'), txStatus: 'REJECTED', extraInfo: 'fault' })
    await fetch(base() + '/faults', { method: 'POST', body: JSON.stringify({ route: 'chain', count: 5, response: { status: 500 } }) })
    expect((await fetch(`${base()}/chain/chain/info`)).status).toBe(500)
    expect(await (await fetch(base() + '/faults', { method: 'DELETE' })).json()).toEqual({ cleared: 1 })
    expect((await fetch(`${base()}/chain/chain/info`)).status).toBe(200)
    for (const bad of [{}, { route: 'nope', response: { status: 500 } }, { route: 'chain', response: { status: 99 } }, { route: 'chain', count: 0, response: { status: 500 } }]) {
      expect((await fetch(base() + '/faults', { method: 'POST', body: JSON.stringify(bad) })).status).toBe(400)
    }
  })
})

describe('devnet as WhatsOnChain', () => {
  it('lists unconfirmed coins without height and flags coins spent in the mempool', async () => {
    const a = await faucet(base(), bob, 30_000)
    await mine(base())
    const t = await spend(a, 0, bob, carol, 5_000)
    await post(t.toHex(), 'text/plain')
    const conf = await woc(`/address/${addr(bob)}/confirmed/unspent`)
    expect(conf.result).toContainEqual(expect.objectContaining({ tx_hash: a.id('hex'), isSpentInMempoolTx: true, status: 'confirmed' }))
    const unconf = await woc(`/address/${addr(carol)}/unconfirmed/unspent`)
    expect(unconf.result).toEqual([{ tx_pos: 0, tx_hash: t.id('hex'), value: 5_000, isSpentInMempoolTx: false, hex: new P2PKH().lock(addr(carol)).toHex(), status: 'unconfirmed' }])
    const all = await woc(`/address/${addr(carol)}/unspent/all`)
    expect(all.result.map((u: any) => u.tx_hash)).toContain(t.id('hex'))
  })

  it('pages confirmed unspent after 1000 with nextPageToken, and answers bulk requests of up to 20 addresses', async () => {
    // 1001 outputs to one address, from an anyone-can-spend output (signing 1001 outputs is slow).
    const a = await faucet(base(), carol, 200_000)
    const fan = new Transaction()
    fan.addOutput({ lockingScript: new P2PKH().lock(addr(alice)), satoshis: 1 })
    const opTrue = new Transaction()
    opTrue.addInput({ sourceTransaction: a, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(carol) })
    opTrue.addOutput({ lockingScript: LockingScript.fromHex('51'), satoshis: 1001 + 2_000 })
    opTrue.addOutput({ lockingScript: new P2PKH().lock(addr(carol)), satoshis: 200_000 - 3_001 - 1_000 })
    await opTrue.sign()
    expect((await post(opTrue.toHex(), 'text/plain')).json.txStatus).toBe('SEEN_ON_NETWORK')
    fan.outputs = []
    fan.addInput({ sourceTransaction: opTrue, sourceOutputIndex: 0, unlockingScript: new UnlockingScript([]) })
    const toAlice = new P2PKH().lock(addr(alice))
    for (let i = 0; i < 1001; i++) fan.addOutput({ lockingScript: toAlice, satoshis: 1 })
    expect(arcFee(fan.toBinary().length)).toBeLessThanOrEqual(2_000)
    expect((await post(fan.toHex(), 'text/plain')).json.txStatus).toBe('SEEN_ON_NETWORK')
    await mine(base())
    const p1 = await woc(`/address/${addr(alice)}/confirmed/unspent`)
    expect(p1.result).toHaveLength(1000)
    expect(p1.nextPageToken).toMatch(/\S/)
    const p2 = await woc(`/address/${addr(alice)}/confirmed/unspent?token=${encodeURIComponent(p1.nextPageToken)}`)
    expect(p2.nextPageToken).toBeUndefined()
    const ids = new Set([...p1.result, ...p2.result].map((u: any) => `${u.tx_hash}:${u.tx_pos}`))
    expect([...ids].filter(id => id.startsWith(fan.id('hex')))).toHaveLength(1001)
    const bulk = await woc('/addresses/confirmed/unspent', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ addresses: [addr(bob), addr(carol)] }) })
    expect(bulk.map((b: any) => b.address)).toEqual([addr(bob), addr(carol)])
    expect(bulk[0]).toMatchObject({ error: '', result: expect.any(Array) })
    const tooMany = await fetch(`${base()}/chain/addresses/unconfirmed/unspent`, { method: 'POST', body: JSON.stringify({ addresses: Array(21).fill(addr(bob)) }) })
    expect(tooMany.status).toBe(400)
  })

  it('serves the header routes, script-hash history, tx status and raw-tx broadcast', async () => {
    const tip = await woc('/chain/info')
    const headers = await woc('/block/headers')
    expect(headers[0]).toMatchObject({ height: tip.blocks, hash: tip.bestblockhash })
    const a = await faucet(base(), bob, 20_000)
    const t = await spend(a, 0, bob, carol, 2_000)
    const sent = await fetch(`${base()}/chain/tx/raw`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ txhex: t.toHex() }) })
    expect(await sent.json()).toBe(t.id('hex'))
    const again = await fetch(`${base()}/chain/tx/raw`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ txhex: t.toHex() }) })
    expect(await again.text()).toBe('unexpected response code 500: Transaction already in the mempool')
    const rival = await spend(a, 0, bob, alice, 3_000)
    const ds = await fetch(`${base()}/chain/tx/raw`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ txhex: rival.toHexEF() }) })
    expect([ds.ok, await ds.text()]).toEqual([false, 'unexpected response code 500: 258: txn-mempool-conflict'])
    await mine(base())
    const st = await woc('/txs/status', { method: 'POST', body: JSON.stringify({ txids: [t.id('hex'), 'ab'.repeat(32)] }) })
    expect(st[0]).toMatchObject({ txid: t.id('hex'), blockheight: tip.blocks + 1, confirmations: 1 })
    expect(st[1]).toEqual({ txid: 'ab'.repeat(32), error: 'unknown' })
    const hash = (await woc(`/address/${addr(carol)}/confirmed/unspent`)).script
    const hist = await woc(`/script/${hash}/confirmed/history`)
    expect(hist.result).toContainEqual({ tx_hash: t.id('hex'), height: tip.blocks + 1 })
  })

  it('lets cross-origin browsers send the headers the ARC and WhatsOnChain clients send', async () => {
    const r = await fetch(`${base()}/arc/v1/tx`, { method: 'OPTIONS', headers: { origin: 'https://example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,xdeployment-id,authorization,x-callbackurl,x-callbacktoken,x-maxtimeout,x-waitfor' } })
    expect(r.status).toBe(204)
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
    const allowed = (r.headers.get('access-control-allow-headers') ?? '').split(/,\s*/)
    for (const h of ['content-type', 'xdeployment-id', 'authorization', 'x-callbackurl', 'x-callbacktoken', 'x-maxtimeout', 'x-waitfor', 'accept', 'cache-control']) expect(allowed).toContain(h)
  })
})

describe('devnet rate limit (WhatsOnChain without a key)', () => {
  it('answers 429 with Retry-After beyond the rate, and 10× the rate with an API key', async () => {
    const limited = await startAppServer({ host: '127.0.0.1', port: 0, devnetFile: ':memory:', devnetRateLimit: { perSecond: 3 } })
    try {
      const get = async (key?: string): Promise<Response> => await fetch(`${limited.url}/devnet/chain/chain/info`, { headers: key !== undefined ? { authorization: key } : {} })
      // A burst of 6 at once: the bucket holds 3.
      const codes = await Promise.all(Array.from({ length: 6 }, async () => (await get()).status))
      expect(codes.filter(c => c === 429).length).toBeGreaterThanOrEqual(2)
      expect(codes.every(c => c === 200 || c === 429)).toBe(true)
      const r = await get()
      expect(r.status).toBe(429)
      expect(await r.text()).toBe('Too Many Requests')
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(r.headers.get('access-control-expose-headers')).toContain('retry-after')
      // ARC is not WhatsOnChain: not limited.
      expect((await fetch(`${limited.url}/devnet/arc/v1/policy`)).status).toBe(200)
      const keyed = await Promise.all(Array.from({ length: 12 }, async () => (await get('my-key')).status))
      expect(keyed.filter(c => c === 200).length).toBeGreaterThanOrEqual(10)
      await new Promise(resolve => setTimeout(resolve, 1100))
      expect((await get()).status).toBe(200)
    } finally {
      await limited.close()
    }
  })
})

describe('devnet block times', () => {
  const DAY = 86_400
  const now = Math.floor(Date.now() / 1000)
  const start = now - 30 * DAY
  let dated: RunningServer
  const at = (): string => dated.url + '/devnet'
  const header = async (height: number): Promise<any> => await (await fetch(`${at()}/chain/block/${height}/header`)).json()
  const mineAt = async (time: unknown): Promise<Response> => await fetch(at() + '/mine', { method: 'POST', body: JSON.stringify({ blocks: 1, time }) })
  /** The block hash a node computes from the header's 80 bytes. */
  function hashOf (h: any): string {
    const w = new Utils.Writer()
    w.writeUInt32LE(h.version)
    w.writeReverse(Utils.toArray(h.previousblockhash, 'hex'))
    w.writeReverse(Utils.toArray(h.merkleroot, 'hex'))
    w.writeUInt32LE(h.time)
    w.writeUInt32LE(parseInt(h.bits, 16))
    w.writeUInt32LE(h.nonce)
    return Utils.toHex(Hash.hash256(w.toArray()).reverse())
  }

  beforeAll(async () => { dated = await startAppServer({ host: '127.0.0.1', port: 0, devnetFile: ':memory:', devnetFirstBlockTime: start }) })
  afterAll(async () => { await dated.close() })

  it('a chain started in the past takes a block dated last week: its hash covers that time, the next block links to it, and its proofs verify', async () => {
    expect((await header(0)).time).toBe(start)
    expect((await header(5)).time).toBe(start + 5 * 600)
    const funding = await faucet(at(), alice, 20_000)
    const txid = funding.id('hex')
    const lastWeek = now - 7 * DAY
    expect((await mineAt(lastWeek)).status).toBe(200)
    const st = await (await fetch(`${at()}/arc/v1/tx/${txid}`)).json() as any
    expect(st.txStatus).toBe('MINED')
    const h = await header(st.blockHeight)
    expect(h.time).toBe(lastWeek)
    expect(h.hash).toBe(hashOf(h))
    expect(st.blockHash).toBe(h.hash)
    expect(MerklePath.fromHex(st.merklePath).computeRoot(txid)).toBe(h.merkleroot)
    // WhatsOnChain's transaction view dates it by that block too.
    const wocStatus = await (await fetch(`${at()}/chain/txs/status`, { method: 'POST', body: JSON.stringify({ txids: [txid] }) })).json()
    expect(wocStatus).toEqual([expect.objectContaining({ txid, blockhash: h.hash, blocktime: lastWeek })])
    await mine(at())
    expect((await header(st.blockHeight + 1)).previousblockhash).toBe(h.hash)
  })

  it('reports each header\'s median time past (the median of its own and the 10 earlier block times), as WhatsOnChain does, not the block\'s own time', async () => {
    // Blocks 0..10 are dated start, start + 600, ...: the median of the 11 is block 5's time.
    expect((await header(10)).mediantime).toBe(start + 5 * 600)
    // A header with fewer than 11 ancestors takes the median of what there is.
    expect((await header(2)).mediantime).toBe(start + 1 * 600)
    const info = await (await fetch(at() + '/chain/chain/info')).json() as any
    const tip = await header(info.blocks)
    expect(info.mediantime).toBe(tip.mediantime)
    expect(info.mediantime).toBeLessThan(tip.time)
  })

  it('refuses a time a real chain would refuse (not after the median of the last 11 blocks, over two hours ahead, not whole seconds) and mines nothing', async () => {
    const tip = (await (await fetch(at() + '/chain/chain/info')).json() as any).blocks
    for (const time of [start, now + 3 * 3600, 'yesterday', 1.5]) {
      const r = await mineAt(time)
      expect(r.status, String(time)).toBe(400)
      expect((await r.json() as any).error).toMatch(/time/)
    }
    expect((await (await fetch(at() + '/chain/chain/info')).json() as any).blocks).toBe(tip)
  })
})
