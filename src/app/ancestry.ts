// Fetches a transaction with enough ancestry to be verified by SPV: each branch ends
// at a transaction with a merkle path, or at one we already hold locally.
import { Transaction } from '@bsv/sdk'
import type { ChainReader } from '../chain/chain-reader.ts'
import type { ChainDB } from '../store/db.ts'

/** Unconfirmed chains deeper than this are refused: it bounds work on hostile data. */
export const MAX_UNPROVEN_DEPTH = 25

export async function loadLocalTx (db: ChainDB, txid: string): Promise<Transaction | undefined> {
  const rec = await db.get('txs', txid)
  return rec === undefined ? undefined : Transaction.fromHexBEEF(rec.beef, txid)
}

export async function fetchWithAncestry (db: ChainDB, reader: ChainReader, txid: string): Promise<Transaction> {
  const seen = new Map<string, Transaction>()
  const load = async (id: string, depth: number): Promise<Transaction> => {
    const hit = seen.get(id)
    if (hit !== undefined) return hit
    const local = await loadLocalTx(db, id)
    if (local !== undefined) { seen.set(id, local); return local }
    if (depth > MAX_UNPROVEN_DEPTH) throw new Error(`Transaction ${txid.slice(0, 12)}… has more than ${MAX_UNPROVEN_DEPTH} unconfirmed ancestors; waiting for a block.`)
    const tx = await reader.rawTx(id)
    if (tx === undefined) throw new Error(`Chain data does not know transaction ${id.slice(0, 12)}…`)
    const path = await reader.merklePath(id)
    if (path !== undefined) {
      tx.merklePath = path
    } else {
      for (const input of tx.inputs) input.sourceTransaction = await load(input.sourceTXID!, depth + 1)
    }
    seen.set(id, tx)
    return tx
  }
  return await load(txid, 0)
}
