// The wallet's books: each function is one IndexedDB transaction that keeps coins,
// transactions, ledger, outbox and payment sessions consistent with each other.
// Nothing here talks to the network; the Wallet decides when each write happens.
import { Transaction, type MerklePath } from '@bsv/sdk'
import type { IDBPObjectStore, IDBPTransaction } from 'idb'
import type { ChainDB, ChainSchema } from '../store/db.ts'
import type { ArcNotes } from '../core/arc-status.ts'
import type { AddressRecord, LedgerRecord, SessionRecord } from '../store/records.ts'
import { loadLocalTx } from './ancestry.ts'
import { ledgerExtras, sessionForScript } from './session-recovery.ts'
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

/** Gives up a write: nothing of it is stored, and the caller gets `message`. */
function abort (tx: { abort: () => void, done: Promise<void> }, message: string): never {
  // The aborted transaction's `done` rejects too; that is expected, not an unhandled error.
  tx.done.catch(() => undefined)
  tx.abort()
  throw new Error(message)
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
  if (meta.session !== undefined) {
    // One payment id, one live transaction: a request already paid with a transaction that
    // is not provably dead (failed, cancelled) is never paid with another one.
    const prior = (await tx.objectStore('sessions').get(meta.session.paymentId))?.state as { txid?: unknown } | undefined
    const priorTxid = typeof prior?.txid === 'string' ? prior.txid : undefined
    if (priorTxid !== undefined && priorTxid !== built.txid) {
      const l = await tx.objectStore('ledger').get(priorTxid)
      if (l !== undefined && l.status !== 'failed' && l.status !== 'cancelled') {
        abort(tx, 'This request was already paid with a transaction that may still be mined. Not paying it twice.')
      }
    }
  }
  for (const c of built.inputs) {
    const current = await tx.objectStore('coins').get(c.id)
    // Another tab or a concurrent payment got there first: abort without writing anything.
    if (current?.status !== 'unspent') abort(tx, 'A coin was spent by another payment in the meantime. Try again.')
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

/** ARC's own words for the ledger entry (status, extraInfo, competing txids); absent fields are cleared. */
function notesOf (n: ArcNotes | undefined): Pick<LedgerRecord, 'arcStatus' | 'extraInfo' | 'competingTxs'> {
  if (n === undefined) return {}
  return {
    arcStatus: n.txStatus,
    extraInfo: n.extraInfo,
    competingTxs: n.competingTxs !== undefined ? [...n.competingTxs] : undefined
  }
}

/** The outpoints a stored transaction spends, read from its BEEF. */
function spentOutpoints (beefHex: string, txid: string): string[] {
  const t = Transaction.fromHexBEEF(beefHex, txid)
  return t.inputs.map(i => `${i.sourceTXID ?? i.sourceTransaction!.id('hex')}:${i.sourceOutputIndex}`)
}

const PAID_AFTER_REFUSAL = 'The payee said no, but broadcast it: you paid.'

/**
 * The network has the transaction: our inputs are spent, coins handed to us become spendable.
 * This also ends every story the transaction's success decides: a payment we took for failed,
 * refused or cancelled was paid after all (its coins are re-marked spent, its outputs come
 * back), and any other transaction of ours that spent the same coins (a "Cancel for sure", a
 * retry) is now dead: its outputs vanish and its other inputs come back.
 */
export async function writeBroadcast (db: ChainDB, txid: string, status: 'seen' | 'mined', opts: { own?: Map<string, AddressRecord>, notes?: ArcNotes } = {}): Promise<void> {
  const tx = db.transaction(['coins', 'ledger', 'outbox', 'txs'], 'readwrite')
  const coins = tx.objectStore('coins')
  const ledger = tx.objectStore('ledger')
  const rec = await tx.objectStore('txs').get(txid)
  const cur = await ledger.get(txid)
  const wasDead = cur !== undefined && (cur.status === 'failed' || cur.status === 'refused' || cur.status === 'cancelled')
  const losers = new Set<string>()
  if (rec !== undefined && cur !== undefined && cur.direction !== 'in') {
    for (const id of spentOutpoints(rec.beef, txid)) {
      const c = await coins.get(id)
      if (c === undefined) continue
      if (c.spentBy !== undefined && c.spentBy !== txid) losers.add(c.spentBy)
      await coins.put({ ...c, status: 'spent', spentBy: txid })
    }
  }
  if (rec !== undefined && wasDead && opts.own !== undefined) {
    // Its outputs to us were dropped when we took it for dead: they exist after all.
    const t = Transaction.fromHexBEEF(rec.beef, txid)
    for (const [vout, o] of t.outputs.entries()) {
      const a = opts.own.get(o.lockingScript.toHex())
      const id = `${txid}:${vout}`
      if (a === undefined || await coins.get(id) !== undefined) continue
      await coins.put({ id, txid, vout, satoshis: o.satoshis!, lockingScript: a.lockingScript, keyPath: a.keyPath, status: 'unspent', createdAt: Date.now() })
    }
  }
  for (const c of await coins.index('spentBy').getAll(txid)) {
    if (c.status === 'pending') await coins.put({ ...c, status: 'spent' })
  }
  // Coins of this tx that were waiting for a miner (handed to us, or change of a refused
  // payment or of a cancel) become spendable now.
  for (const c of await coins.index('status').getAll('incoming')) {
    if (c.txid === txid) await coins.put({ ...c, status: 'unspent' })
  }
  for (const loser of losers) await markDead(tx, loser, txid)
  if (cur !== undefined) {
    const { error: _drop, ...rest } = cur
    const paidAfterRefusal = cur.status === 'refused' || (cur.status === 'cancelled' && cur.cancelledBy !== undefined)
    await ledger.put({
      ...rest,
      ...notesOf(opts.notes),
      status,
      ...(paidAfterRefusal ? { error: PAID_AFTER_REFUSAL, cancelledBy: undefined } : {}),
      updatedAt: Date.now()
    })
    // A cancel that won: the refused payment it took the coins from is now provably dead.
    if (cur.cancels !== undefined) {
      const orig = await ledger.get(cur.cancels)
      if (orig !== undefined && orig.status !== 'seen' && orig.status !== 'mined') {
        await ledger.put({ ...orig, status: 'cancelled', error: 'Cancelled for sure: the coins came back to you, so the refused payment can never be mined.', updatedAt: Date.now() })
        await deleteOutputs(coins, cur.cancels)
        await tx.objectStore('outbox').delete(cur.cancels)
      }
    }
  }
  await tx.objectStore('outbox').delete(txid)
  await tx.done
}

type BookTx = IDBPTransaction<ChainSchema, Array<'coins' | 'ledger' | 'outbox' | 'txs'>, 'readwrite'>
type CoinStore = IDBPObjectStore<ChainSchema, ArrayLike<'coins' | 'ledger' | 'outbox' | 'txs' | 'sessions' | 'addresses'>, 'coins', 'readwrite'>

async function deleteOutputs (coins: CoinStore, txid: string): Promise<void> {
  let cursor = await coins.openCursor()
  while (cursor !== null) {
    if (cursor.value.txid === txid) await cursor.delete()
    cursor = await cursor.continue()
  }
}

/** `loser` spent coins that `winner` got mined/seen: it can never be mined. */
async function markDead (tx: BookTx, loser: string, winner: string): Promise<void> {
  const coins = tx.objectStore('coins')
  for (const c of await coins.index('spentBy').getAll(loser)) {
    const { spentBy: _s, ...rest } = c
    await coins.put({ ...rest, status: 'unspent' })
  }
  await deleteOutputs(coins, loser)
  const ledger = tx.objectStore('ledger')
  const l = await ledger.get(loser)
  if (l !== undefined && l.status !== 'mined') {
    const why = l.cancels === winner
      ? 'The payee broadcast the refused payment before this cancel reached the network: the payment went through.'
      : `Another of your transactions (${winner.slice(0, 8)}…) spent the same coins first.`
    await ledger.put({ ...l, status: 'failed', error: why, updatedAt: Date.now() })
  }
  await tx.objectStore('outbox').delete(loser)
}

/** ARC holds it but has not decided (in progress, orphan, double-spend attempt): record what it said. */
export async function writeArcNotes (db: ChainDB, txid: string, notes: ArcNotes, message: string | undefined): Promise<void> {
  const tx = db.transaction('ledger', 'readwrite')
  const cur = await tx.store.get(txid)
  if (cur !== undefined) {
    const { error: _e, ...rest } = cur
    // A refused payment keeps saying why it is held; others show ARC's warning, if any.
    const error = cur.status === 'refused' ? cur.error : message
    await tx.store.put({ ...rest, ...notesOf(notes), ...(error !== undefined ? { error } : {}), updatedAt: Date.now() })
  }
  await tx.done
}

/**
 * The payee refused a payment it holds signed. It may still broadcast it, so nothing comes
 * back: the coins stay reserved (pending, spent by it), its change waits as 'incoming', the
 * outbox forgets it (we never broadcast a refused payment) and the ledger says 'refused'.
 */
export async function writeRefused (db: ChainDB, txid: string, message: string, session?: SessionRecord): Promise<void> {
  const tx = db.transaction(['coins', 'ledger', 'outbox', 'sessions'], 'readwrite')
  const coins = tx.objectStore('coins')
  const cur = await tx.objectStore('ledger').get(txid)
  // Already with the network (the payee broadcast before refusing): nothing to hold.
  if (cur !== undefined && cur.status !== 'seen' && cur.status !== 'mined') {
    let cursor = await coins.openCursor()
    while (cursor !== null) {
      const c = cursor.value
      if (c.txid === txid && c.status === 'unspent') await cursor.update({ ...c, status: 'incoming' })
      cursor = await cursor.continue()
    }
    await tx.objectStore('ledger').put({ ...cur, status: 'refused', error: message, updatedAt: Date.now() })
  }
  await tx.objectStore('outbox').delete(txid)
  if (session !== undefined) await tx.objectStore('sessions').put(session)
  await tx.done
}

/**
 * Stores a "Cancel for sure": a transaction spending the refused payment's coins back to us.
 * The coins stay reserved (now spent by the cancel); its output waits as 'incoming' until a
 * miner takes the cancel, which is what makes the refused payment provably dead.
 */
export async function writeCancel (db: ChainDB, p: PreparedPayment, refusedTxid: string): Promise<LedgerRecord> {
  const { built, change } = p
  const now = Date.now()
  const tx = db.transaction(['coins', 'txs', 'ledger', 'outbox', 'addresses'], 'readwrite')
  const orig = await tx.objectStore('ledger').get(refusedTxid)
  if (orig?.status !== 'refused' || orig.cancelledBy !== undefined) abort(tx, 'This payment cannot be cancelled now.')
  for (const c of built.inputs) {
    const current = await tx.objectStore('coins').get(c.id)
    if (current?.status !== 'pending' || current.spentBy !== refusedTxid) abort(tx, 'The coins of this payment changed in the meantime. Refresh and try again.')
    await tx.objectStore('coins').put({ ...current, spentBy: built.txid })
  }
  await tx.objectStore('txs').put({ txid: built.txid, beef: built.tx.toHexBEEF(), proven: false })
  for (const [vout, o] of built.tx.outputs.entries()) {
    if (o.lockingScript.toHex() !== change.lockingScript) continue
    await tx.objectStore('coins').put({ id: `${built.txid}:${vout}`, txid: built.txid, vout, satoshis: o.satoshis!, lockingScript: change.lockingScript, keyPath: change.keyPath, status: 'incoming', createdAt: now })
  }
  await tx.objectStore('addresses').put({ ...change, used: true })
  const entry: LedgerRecord = {
    txid: built.txid, direction: 'self', amount: -built.fee, fee: built.fee, counterparty: orig.counterparty,
    memo: 'Cancel for sure', status: 'signed', cancels: refusedTxid, createdAt: now, updatedAt: now
  }
  await tx.objectStore('ledger').put(entry)
  await tx.objectStore('ledger').put({ ...orig, cancelledBy: built.txid, updatedAt: now })
  await tx.objectStore('outbox').put({ txid: built.txid, attempts: 0, nextAttemptAt: 0 })
  await tx.done
  return entry
}

/**
 * Undoes a payment that will never confirm: its inputs come back (or are flagged when
 * another transaction took them), its outputs disappear, the ledger says why.
 * A failed "Cancel for sure" gives nothing back: its coins return to the refused payment,
 * which may still be broadcast, and stay reserved.
 */
export async function writeUnwind (db: ChainDB, txid: string, doubleSpent: boolean, message: string, session?: SessionRecord, notes?: ArcNotes): Promise<void> {
  const tx = db.transaction(['coins', 'ledger', 'outbox', 'sessions'], 'readwrite')
  const coins = tx.objectStore('coins')
  const cur = await tx.objectStore('ledger').get(txid)
  const refused = cur?.cancels !== undefined ? await tx.objectStore('ledger').get(cur.cancels) : undefined
  const backToRefused = refused !== undefined && refused.status === 'refused'
  for (const c of await coins.index('spentBy').getAll(txid)) {
    const { spentBy: _s, ...rest } = c
    if (backToRefused) await coins.put({ ...c, status: 'pending', spentBy: refused.txid })
    else await coins.put(doubleSpent ? { ...c, status: 'conflict' } : { ...rest, status: 'unspent' })
  }
  await deleteOutputs(coins, txid)
  if (cur !== undefined) await tx.objectStore('ledger').put({ ...cur, ...notesOf(notes), status: 'failed', error: message, updatedAt: Date.now() })
  if (backToRefused) {
    const { cancelledBy: _c, ...rest } = refused
    await tx.objectStore('ledger').put({ ...rest, updatedAt: Date.now() })
  }
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
  const known = await w.objectStore('ledger').get(args.txid)
  if (known === undefined) {
    await w.objectStore('ledger').put({ txid: args.txid, direction: 'in', amount, fee: 0, counterparty: args.counterparty, memo: args.memo, status: 'handed-over', createdAt: now, updatedAt: now })
  } else if ((known.memo === undefined && args.memo !== undefined) || (known.counterparty === undefined && args.counterparty !== undefined)) {
    // Sync found it first (the payer broadcast it): keep its status, add what the payer told us.
    await w.objectStore('ledger').put({ ...known, memo: known.memo ?? args.memo, counterparty: known.counterparty ?? args.counterparty, updatedAt: now })
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
export async function writeSynced (db: ChainDB, tx: Transaction, vout: number, rec: AddressRecord, height: number | undefined, blockTimeMs?: number): Promise<void> {
  const txid = tx.id('hex')
  const now = Date.now()
  const w = db.transaction(['coins', 'txs', 'ledger', 'sessions'], 'readwrite')
  // A payment code of ours asked for this: the ledger keeps its memo and who paid, even
  // when the coin is found by sync (the payee phone died before the payment reached it).
  const session = sessionForScript(await w.objectStore('sessions').getAll(), rec.lockingScript, txid)
  if (await w.objectStore('txs').get(txid) === undefined) {
    await w.objectStore('txs').put({ txid, beef: tx.toHexBEEF(), proven: tx.merklePath !== undefined, height: tx.merklePath?.blockHeight })
  }
  await w.objectStore('coins').put({
    id: `${txid}:${vout}`, txid, vout, satoshis: tx.outputs[vout]!.satoshis!, lockingScript: rec.lockingScript,
    keyPath: rec.keyPath, status: 'unspent', height, createdAt: now
  })
  const entry = await w.objectStore('ledger').get(txid)
  if (entry === undefined) {
    const fresh: LedgerRecord = {
      txid, direction: 'in', amount: tx.outputs[vout]!.satoshis!, fee: 0,
      // A payment found in a block (a restore) happened when the block did, not now.
      status: height !== undefined ? 'mined' : 'seen', height, createdAt: height !== undefined ? blockTimeMs ?? now : now, updatedAt: now
    }
    await w.objectStore('ledger').put({ ...fresh, ...ledgerExtras(fresh, session) })
  } else if (entry.direction === 'in') {
    // Another output of the same incoming transaction, to another of our addresses. Memo
    // and counterparty already there stay; missing ones come from the session.
    await w.objectStore('ledger').put({ ...entry, ...ledgerExtras(entry, session), amount: entry.amount + tx.outputs[vout]!.satoshis!, updatedAt: now })
  }
  await w.done
}
