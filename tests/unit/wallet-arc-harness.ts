// A real Wallet (IndexedDB via fake-indexeddb, in Node) whose ARC is a fetch double that
// answers with responses copied from ARC's published spec (tests/fixtures/arc/*.json).
import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LockingScript, MerklePath, P2PKH, PrivateKey, Transaction, UnlockingScript } from '@bsv/sdk'
import { Wallet } from '../../src/app/wallet.ts'
import { DEFAULT_SETTINGS } from '../../src/app/settings.ts'
import type { CoinRecord, LedgerRecord } from '../../src/store/records.ts'

export const ORIGIN = 'http://wallet.test'
export const ARC = `${ORIGIN}/devnet/arc`

export interface Fixture { source: string, status: number, headers: Record<string, string>, body: unknown }

export function fixture (name: string): Fixture {
  return JSON.parse(readFileSync(resolve('tests/fixtures/arc', `${name}.json`), 'utf8')) as Fixture
}

/** A fixture as a fetch Response; `{txid}` in its body becomes the txid asked about. */
export function respond (f: Fixture, txid: string): Response {
  const text = f.body === null || f.body === undefined ? '' : typeof f.body === 'string' ? f.body : JSON.stringify(f.body).replaceAll('{txid}', txid)
  return new Response(f.status === 204 ? null : text, { status: f.status, headers: f.headers })
}

/** Who answers: per route, a fixture name (or a function of the txid), or 'offline'. */
export interface ArcScript {
  submit?: (txid: string) => Fixture | 'offline'
  status?: (txid: string) => Fixture | 'offline'
}

let n = 0

export interface TestWallet {
  wallet: Wallet
  arc: ArcScript
  submitted: string[]
  /** Pays `satoshis` to a stranger from the funded coin: stored, not yet broadcast. */
  pay: (satoshis: number, opts?: { broadcastAt?: number }) => Promise<LedgerRecord>
  coin: (id: string) => Promise<CoinRecord | undefined>
  entry: (txid: string) => Promise<LedgerRecord>
  funding: CoinRecord
  addCoin: (satoshis: number) => Promise<CoinRecord>
  /** A verified payment handed to us face to face (stored as the payee does before its ack). */
  receive: (satoshis: number) => Promise<string>
}

/** A wallet holding one mined 100 000 sat coin, its ARC answering from `arc`. */
export async function testWallet (arc: ArcScript = {}): Promise<TestWallet> {
  const submitted: string[] = []
  const realFetch = globalThis.fetch
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input)
    if (!url.startsWith(ARC)) return await realFetchOrFail(realFetch, url)
    const path = url.slice(ARC.length)
    if (path === '/v1/tx' && init?.method === 'POST') {
      const hex = (JSON.parse(String(init.body)) as { rawTx: string }).rawTx
      const txid = Transaction.fromHexBEEF(hex).id('hex')
      submitted.push(txid)
      const f = arc.submit?.(txid) ?? fixture('h1-200-seen-on-network')
      if (f === 'offline') throw new TypeError('Failed to fetch')
      return respond(f, txid)
    }
    const m = /^\/v1\/tx\/([0-9a-f]{64})$/.exec(path)
    if (m !== null) {
      const f = arc.status?.(m[1]!) ?? fixture('h1-404-not-found')
      if (f === 'offline') throw new TypeError('Failed to fetch')
      return respond(f, m[1]!)
    }
    return new Response('', { status: 404 })
  }) as typeof fetch
  const seed = Array.from(PrivateKey.fromRandom().toArray())
  const wallet = await Wallet.open(seed, { ...structuredClone(DEFAULT_SETTINGS), feeRate: 50 }, ORIGIN, `test-${process.pid}-${++n}`)
  let funds = 0
  /** A mined coin on our receive address (a fake one-transaction block; ARC is a double here anyway). */
  const addCoin = async (satoshis: number): Promise<CoinRecord> => {
    const addr = await wallet.receiveAddress()
    const fund = new Transaction()
    fund.addInput({ sourceTXID: (++funds).toString(16).padStart(64, '1'), sourceOutputIndex: 0, unlockingScript: new UnlockingScript(), sequence: 0xffffffff })
    fund.addOutput({ lockingScript: LockingScript.fromHex(addr.lockingScript), satoshis })
    fund.merklePath = new MerklePath(100, [[{ offset: 0, hash: fund.id('hex'), txid: true }]])
    const fundTxid = fund.id('hex')
    const coin: CoinRecord = { id: `${fundTxid}:0`, txid: fundTxid, vout: 0, satoshis, lockingScript: addr.lockingScript, keyPath: addr.keyPath, status: 'unspent', height: 100, createdAt: Date.now() }
    await wallet.db.put('txs', { txid: fundTxid, beef: fund.toHexBEEF(), proven: true, height: 100 })
    await wallet.db.put('coins', coin)
    await wallet.db.put('addresses', { ...addr, used: true })
    return coin
  }
  const funding = await addCoin(100_000)
  const stranger = new P2PKH().lock(PrivateKey.fromRandom().toAddress([0x6f])).toHex()
  return {
    wallet,
    arc,
    submitted,
    funding,
    addCoin,
    pay: async (satoshis, opts = {}) => {
      const p = await wallet.prepare([{ lockingScript: stranger, satoshis }])
      return await wallet.commitOutgoing(p, { counterparty: 'stranger', broadcastAt: opts.broadcastAt })
    },
    coin: async id => await wallet.db.get('coins', id),
    receive: async (satoshis) => {
      const payerKey = PrivateKey.fromRandom()
      const src = new Transaction()
      src.addInput({ sourceTXID: '22'.repeat(32), sourceOutputIndex: 0, unlockingScript: new UnlockingScript(), sequence: 0xffffffff })
      src.addOutput({ lockingScript: new P2PKH().lock(payerKey.toAddress([0x6f])), satoshis: satoshis + 1_000 })
      src.merklePath = new MerklePath(101, [[{ offset: 0, hash: src.id('hex'), txid: true }]])
      const to = await wallet.freshReceiveOutput()
      const tx = new Transaction()
      tx.addInput({ sourceTransaction: src, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(payerKey) })
      tx.addOutput({ lockingScript: LockingScript.fromHex(to.lockingScript), satoshis })
      await tx.sign()
      const txid = tx.id('hex')
      await wallet.storeIncoming({ txid, beef: tx.toHexBEEF(), counterparty: 'payer', session: { paymentId: `p-${txid}`, role: 'payee', state: {}, updatedAt: Date.now() } })
      return txid
    },
    entry: async txid => (await wallet.db.get('ledger', txid))!
  }
}

async function realFetchOrFail (_f: typeof fetch, url: string): Promise<Response> {
  // Chain data and headers are not part of these tests: the device looks offline to them.
  throw new TypeError(`Failed to fetch ${url}`)
}

/** The coins a ledger entry's transaction spends and creates, as the wallet holds them. */
export async function coinsOf (tw: TestWallet, txid: string): Promise<{ inputs: Array<CoinRecord['status'] | 'gone'>, change: Array<CoinRecord['status']> }> {
  const rec = (await tw.wallet.db.get('txs', txid))!
  const tx = Transaction.fromHexBEEF(rec.beef, txid)
  const inputs: Array<CoinRecord['status'] | 'gone'> = []
  for (const i of tx.inputs) inputs.push((await tw.coin(`${i.sourceTXID ?? i.sourceTransaction!.id('hex')}:${i.sourceOutputIndex}`))?.status ?? 'gone')
  const change = (await tw.wallet.db.getAll('coins')).filter(c => c.txid === txid).map(c => c.status)
  return { inputs, change }
}
