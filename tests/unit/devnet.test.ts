// The devnet is the chain every other test trusts, so it must really reject bad spends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { P2PKH, PrivateKey, SatoshisPerKilobyte, Transaction, Beef, MerklePath } from '@bsv/sdk'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { buildPayment } from '../../src/core/tx-build.ts'

let srv: RunningServer
const base = () => srv.url + '/devnet'
const alice = PrivateKey.fromHex('01'.repeat(32))
const bob = PrivateKey.fromHex('02'.repeat(32))
const addr = (k: PrivateKey) => k.toAddress([0x6f])

async function faucet (k: PrivateKey, satoshis: number): Promise<Transaction> {
  const r = await fetch(base() + '/faucet', { method: 'POST', body: JSON.stringify({ address: addr(k), satoshis }) })
  expect(r.status).toBe(200)
  const { txid } = await r.json() as { txid: string }
  const hex = await (await fetch(`${base()}/chain/tx/${txid}/hex`)).text()
  return Transaction.fromHex(hex)
}

async function post (body: string | Uint8Array<ArrayBuffer>, type: string): Promise<{ status: number, json: any }> {
  const r = await fetch(base() + '/arc/v1/tx', { method: 'POST', headers: { 'content-type': type }, body })
  return { status: r.status, json: await r.json() }
}

async function spend (source: Transaction, vout: number, key: PrivateKey, to: PrivateKey, sats: number): Promise<Transaction> {
  const built = await buildPayment({
    coins: [{ txid: source.id('hex'), vout, satoshis: source.outputs[vout]!.satoshis!, keyPath: 'k', sourceTransaction: source }],
    outputs: [{ lockingScript: new P2PKH().lock(to.toAddress([0x6f])).toHex(), satoshis: sats }],
    changeScript: new P2PKH().lock(key.toAddress([0x6f])).toHex(),
    satsPerKb: 50,
    keyFor: () => key
  })
  return built.tx
}

beforeAll(async () => { srv = await startAppServer({ host: '127.0.0.1', port: 0, devnetFile: ':memory:' }) })
afterAll(async () => { await srv.close() })

describe('devnet', () => {
  it('funds an address from matured coinbase and mines it with a merkle proof that verifies', async () => {
    const funding = await faucet(alice, 100_000)
    const txid = funding.id('hex')
    let st = await (await fetch(`${base()}/arc/v1/tx/${txid}`)).json() as any
    expect(st.txStatus).toBe('SEEN_ON_NETWORK')
    await fetch(base() + '/mine', { method: 'POST', body: '{"blocks":1}' })
    st = await (await fetch(`${base()}/arc/v1/tx/${txid}`)).json()
    expect(st.txStatus).toBe('MINED')
    const path = MerklePath.fromHex(st.merklePath)
    const header = await (await fetch(`${base()}/chain/block/${st.blockHeight}/header`)).json() as any
    expect(path.computeRoot(txid)).toBe(header.merkleroot)
    const utxos = await (await fetch(`${base()}/chain/address/${addr(alice)}/confirmed/unspent`)).json() as any
    expect(utxos.result).toEqual([expect.objectContaining({ tx_hash: txid, value: 100_000, height: st.blockHeight })])
  })

  it('accepts raw hex, EF JSON and BEEF V1 binary, and is idempotent on resubmission', async () => {
    const a = await faucet(alice, 60_000)
    const t1 = await spend(a, 0, alice, bob, 10_000)
    expect((await post(t1.toHex(), 'text/plain')).json.txid).toBe(t1.id('hex'))
    expect((await post(t1.toHex(), 'text/plain')).status).toBe(200)
    const t2 = await spend(t1, 1, alice, bob, 5_000)
    expect((await post(JSON.stringify({ rawTx: t2.toHexEF() }), 'application/json')).json.txStatus).toBe('SEEN_ON_NETWORK')
    // A chain of two unconfirmed txs in one BEEF: both accepted, parents first.
    const t3 = await spend(t2, 1, alice, bob, 2_000)
    const t4 = await spend(t3, 1, alice, bob, 1_000)
    const r = await post(new Uint8Array(t4.toBEEF()), 'application/octet-stream')
    expect(r.status).toBe(200)
    expect(r.json.txid).toBe(t4.id('hex'))
    expect((await fetch(`${base()}/arc/v1/tx/${t3.id('hex')}`)).status).toBe(200)
  })

  it('rejects a bad signature with 461', async () => {
    const a = await faucet(alice, 30_000)
    const t = await spend(a, 0, alice, bob, 10_000)
    // Sign with the wrong key: the unlocking script no longer matches the locking script.
    const forged = new Transaction()
    forged.addInput({ sourceTransaction: a, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(bob) })
    forged.addOutput({ lockingScript: t.outputs[0]!.lockingScript, satoshis: 10_000 })
    await forged.fee(new SatoshisPerKilobyte(50)); await forged.sign()
    const r = await post(forged.toHex(), 'text/plain')
    expect(r.status).toBe(461)
    expect(r.json.title).toMatch(/Unlocking scripts invalid/)
  })

  it('rejects a double spend with 466 and keeps the first', async () => {
    const a = await faucet(alice, 40_000)
    const first = await spend(a, 0, alice, bob, 10_000)
    const second = await spend(a, 0, alice, alice, 20_000)
    expect((await post(first.toHex(), 'text/plain')).status).toBe(200)
    const r = await post(second.toHex(), 'text/plain')
    expect(r.status).toBe(466)
    expect(r.json.detail).toContain(first.id('hex'))
    expect((await fetch(`${base()}/arc/v1/tx/${second.id('hex')}`)).status).toBe(404)
  })

  it('rejects a fee below policy with 465, unknown inputs with 462 and garbage with 463', async () => {
    const a = await faucet(alice, 20_000)
    const cheap = new Transaction()
    cheap.addInput({ sourceTransaction: a, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(alice) })
    cheap.addOutput({ lockingScript: new P2PKH().lock(addr(bob)), satoshis: 20_000 })
    await cheap.sign()
    expect((await post(cheap.toHex(), 'text/plain')).status).toBe(465)
    const orphan = new Transaction()
    orphan.addInput({ sourceTXID: 'ab'.repeat(32), sourceOutputIndex: 0, unlockingScript: new P2PKH().lock(addr(bob)) as any })
    orphan.addOutput({ lockingScript: new P2PKH().lock(addr(bob)), satoshis: 1 })
    expect((await post(orphan.toHex(), 'text/plain')).status).toBe(462)
    expect((await post('zz', 'text/plain')).status).toBe(463)
    expect((await post('0100beef00', 'text/plain')).status).toBe(463)
    const policy = await (await fetch(base() + '/arc/v1/policy')).json() as any
    expect(policy.policy.miningFee).toEqual({ satoshis: 50, bytes: 1000 })
  })

  it('refuses BEEF whose merkle proof does not match the chain (469)', async () => {
    const a = await faucet(alice, 30_000)
    await fetch(base() + '/mine', { method: 'POST' })
    const st = await (await fetch(`${base()}/arc/v1/tx/${a.id('hex')}`)).json() as any
    const proven = Transaction.fromHex(a.toHex())
    proven.merklePath = MerklePath.fromHex(st.merklePath)
    const t = await spend(proven, 0, alice, bob, 1_000)
    const beef = Beef.fromBinary(t.toBEEF())
    // Move the proof to another height: its root no longer matches that block.
    beef.bumps[0]!.blockHeight -= 1
    expect((await post(new Uint8Array(beef.toBinary()), 'application/octet-stream')).status).toBe(469)
    expect((await post(new Uint8Array(t.toBEEF()), 'application/octet-stream')).status).toBe(200)
  })
})
