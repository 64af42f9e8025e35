// The wallet's books: each function is one IndexedDB transaction that keeps coins,
// transactions, ledger, outbox and payment sessions consistent with each other.
// Nothing here talks to the network; the Wallet decides when each write happens.
import { Transaction, type MerklePath } from '@bsv/sdk'
import type { ChainDB } from '../store/db.ts'
import type { AddressRecord, LedgerRecord, SessionRecord } from '../store/records.ts'
import { loadLocalTx } from './ancestry.ts'
import type { PreparedPayment } from './wallet.ts'

export interface OutgoingMeta {
  counterparty?: string
  memo?: string
  /** When the outbox may broadcast it (ms); 0 = now. A face-to-face payment waits for the ack. */
  broadcastAt?: number
  session?: SessionRecord
}

export interface IncomingArgs {
  txid: string
  beef: string
  counterparty?: string
  memo?: string
  session: SessionRecord
}

/**
 * Stores a prepared payment: spent coins, change coin, ledger entry, outbox entry and,
 * for a face-to-face payment, its session. Only after this may the transaction leave the device.
 */
export async function writeOutgoing (db: ChainDB, p: PreparedPayment, meta: OutgoingMeta): Promise<LedgerRecord> {
  const { built, change, own } = p
  const paid = p.outputs.reduce((s, o) => s + o.satoshis, 0)
  const toSelf = p.outputs.every(o => own.has(o.lockingScript))
  const now = Date.now()
  const entry: LedgerRecord = {
    txid: built.txid,
    direction: toSelf ? 'self' : 'out',
    amount: toSelf ? -built.fee : -(paid + built.fee),
    fee: built.fee,
    counterparty: meta.counterparty,
    memo: meta.memo,
    status: meta.session !== undefined ? 'handed-over' : 'signed',
    createdAt: now,
    updatedAt: now
  }
  const tx = db.transaction(['coins', 'txs', 'ledger', 'outbox', 'addresses', 'sessions'], 'readwrite')
  for (const c of built.inputs) {
    const current = await tx.objectStore('coins').get(c.id)
    // Another tab or a concurrent payment got there first: abort without writing anything.
    if (current?.status !== 'unspent') { tx.abort(); throw new Error('A coin was spent by another payment in the meantime. Try again.') }
    await tx.objectStore('coins').put({ ...current, status: 'pending', spentBy: built.txid })
  }
  await tx.objectStore('txs').put({ txid: built.txid, beef: built.tx.toHexBEEF(), proven: false })
  if (built.change !== undefined) {
    await tx.objectStore('coins').put({
      id: `${built.txid}:${built.change.vout}`, txid: built.txid, vout: built.change.vout, satoshis: built.change.satoshis,
      lockingScript: change.lockingScript, keyPath: change.keyPath, status: 'unspent', createdAt: now
    })
    await tx.objectStore('addresses').put({ ...change, used: true })
  }
  for (const [vout, o] of built.tx.outputs.entries()) {
    const a = own.get(o.lockingScript.toHex())
    if (vout === built.change?.vout || a === undefined) continue
    await tx.objectStore('coins').put({ id: `${built.txid}:${vout}`, txid: built.txid, vout, satoshis: o.satoshis!, lockingScript: a.lockingScript, keyPath: a.keyPath, status: 'unspent', createdAt: now })
    await tx.objectStore('addresses').put({ ...a, used: true })
  }
  await tx.objectStore('ledger').put(entry)
  await tx.objectStore('outbox').put({ txid: built.txid, attempts: 0, nextAttemptAt: meta.broadcastAt ?? 0 })
  if (meta.session !== undefined) await tx.objectStore('sessions').put(meta.session)
  await tx.done
  return entry
}

export async function setLedger (db: ChainDB, txid: string, patch: Partial<LedgerRecord>): Promise<void> {
  const tx = db.transaction('ledger', 'readwrite')
  const cur = await tx.store.get(txid)
  if (cur !== undefined) await tx.store.put({ ...cur, ...patch, updatedAt: Date.now() })
  await tx.done
}

/** The network has the transaction: our inputs are spent, coins handed to us become spendable. */
export async function writeBroadcast (db: ChainDB, txid: string, status: 'seen' | 'mined'): Promise<void> {
  const tx = db.transaction(['coins', 'ledger', 'outbox'], 'readwrite')
  for (const c of await tx.objectStore('coins').index('spentBy').getAll(txid)) {
    if (c.status === 'pending') await tx.objectStore('coins').put({ ...c, status: 'spent' })
  }
  // Coins handed to us become spendable once a miner has the transaction.
  for (const c of await tx.objectStore('coins').index('status').getAll('incoming')) {
    if (c.txid === txid) await tx.objectStore('coins').put({ ...c, status: 'unspent' })
  }
  const cur = await tx.objectStore('ledger').get(txid)
  if (cur !== undefined) {
    const { error: _drop, ...rest } = cur
    await tx.objectStore('ledger').put({ ...rest, status, updatedAt: Date.now() })
  }
  await tx.objectStore('outbox').delete(txid)
  await tx.done
}

/**
 * Undoes a payment that will never confirm: its inputs come back (or are flagged when
 * another transaction took them), its outputs disappear, the ledger says why.
 */
export async function writeUnwind (db: ChainDB, txid: string, doubleSpent: boolean, message: string, session?: SessionRecord): Promise<void> {
  const why = { isDoubleSpend: doubleSpent, message }
  const tx = db.transaction(['coins', 'ledger', 'outbox', 'sessions'], 'readwrite')
  const coins = tx.objectStore('coins')
  for (const c of await coins.index('spentBy').getAll(txid)) {
    const { spentBy: _s, ...rest } = c
    await coins.put(why.isDoubleSpend ? { ...c, status: 'conflict' } : { ...rest, status: 'unspent' })
  }
  let cursor = await coins.openCursor()
  while (cursor !== null) {
    if (cursor.value.txid === txid) await cursor.delete()
    cursor = await cursor.continue()
  }
  const cur = await tx.objectStore('ledger').get(txid)
  if (cur !== undefined) await tx.objectStore('ledger').put({ ...cur, status: 'failed', error: why.message, updatedAt: Date.now() })
  await tx.objectStore('outbox').delete(txid)
  if (session !== undefined) await tx.objectStore('sessions').put(session)
  await tx.done
}

/** A payment handed to us and verified: stored with its session before the ack goes out. */
export async function writeIncoming (db: ChainDB, own: Map<string, AddressRecord>, args: IncomingArgs): Promise<void> {
  const tx = Transaction.fromHexBEEF(args.beef, args.txid)
  const now = Date.now()
  const w = db.transaction(['coins', 'txs', 'ledger', 'outbox', 'sessions', 'addresses'], 'readwrite')
  let amount = 0
  await w.objectStore('txs').put({ txid: args.txid, beef: tx.toHexBEEF(), proven: false })
  for (const [vout, o] of tx.outputs.entries()) {
    const a = own.get(o.lockingScript.toHex())
    if (a === undefined) continue
    amount += o.satoshis!
    const id = `${args.txid}:${vout}`
    if (await w.objectStore('coins').get(id) === undefined) {
      await w.objectStore('coins').put({ id, txid: args.txid, vout, satoshis: o.satoshis!, lockingScript: a.lockingScript, keyPath: a.keyPath, status: 'incoming', createdAt: now })
    }
    await w.objectStore('addresses').put({ ...a, used: true })
  }
  if (await w.objectStore('ledger').get(args.txid) === undefined) {
    await w.objectStore('ledger').put({ txid: args.txid, direction: 'in', amount, fee: 0, counterparty: args.counterparty, memo: args.memo, status: 'handed-over', createdAt: now, updatedAt: now })
  }
  if (await w.objectStore('outbox').get(args.txid) === undefined) await w.objectStore('outbox').put({ txid: args.txid, attempts: 0, nextAttemptAt: 0 })
  await w.objectStore('sessions').put(args.session)
  await w.done
}

/** A merkle path for a mined transaction; its BEEF shrinks to the proven transaction alone. */
export async function writeProof (db: ChainDB, txid: string, path: MerklePath): Promise<void> {
  const local = await loadLocalTx(db, txid)
  const tx = db.transaction(['txs', 'ledger', 'coins'], 'readwrite')
  if (local !== undefined) {
    local.merklePath = path
    // A proven tx needs no ancestors in its BEEF: this is where BEEFs stop growing.
    await tx.objectStore('txs').put({ txid, beef: local.toHexBEEF(), proven: true, height: path.blockHeight })
  }
  const cur = await tx.objectStore('ledger').get(txid)
  if (cur !== undefined) await tx.objectStore('ledger').put({ ...cur, status: 'mined', height: path.blockHeight, updatedAt: Date.now() })
  let cursor = await tx.objectStore('coins').openCursor()
  while (cursor !== null) {
    if (cursor.value.txid === txid && cursor.value.height === undefined) await cursor.update({ ...cursor.value, height: path.blockHeight })
    cursor = await cursor.continue()
  }
  await tx.done
}

/** A coin found by sync, with its verified ancestry. */
export async function writeSynced (db: ChainDB, tx: Transaction, vout: number, rec: AddressRecord, height: number | undefined): Promise<void> {
  const txid = tx.id('hex')
  const now = Date.now()
  const w = db.transaction(['coins', 'txs', 'ledger'], 'readwrite')
  if (await w.objectStore('txs').get(txid) === undefined) {
    await w.objectStore('txs').put({ txid, beef: tx.toHexBEEF(), proven: tx.merklePath !== undefined, height: tx.merklePath?.blockHeight })
  }
  await w.objectStore('coins').put({
    id: `${txid}:${vout}`, txid, vout, satoshis: tx.outputs[vout]!.satoshis!, lockingScript: rec.lockingScript,
    keyPath: rec.keyPath, status: 'unspent', height, createdAt: now
  })
  const entry = await w.objectStore('ledger').get(txid)
  if (entry === undefined) {
    await w.objectStore('ledger').put({
      txid, direction: 'in', amount: tx.outputs[vout]!.satoshis!, fee: 0, counterparty: undefined,
      status: height !== undefined ? 'mined' : 'seen', height, createdAt: now, updatedAt: now
    })
  } else if (entry.direction === 'in') {
    // Another output of the same incoming transaction, to another of our addresses.
    await w.objectStore('ledger').put({ ...entry, amount: entry.amount + tx.outputs[vout]!.satoshis!, updatedAt: now })
  }
  await w.done
}
