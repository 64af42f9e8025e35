// Follows one transaction's ledger status for a payment session: the outbox and status
// polling move the ledger; sessions only listen.
import type { LedgerRecord } from '../store/records.ts'
import type { Wallet } from './wallet.ts'

/** Calls `onStatus` with each seen/mined status of `txid` until mined; returns the unsubscribe. */
export function watchLedger (wallet: Wallet, txid: string, onStatus: (entry: LedgerRecord) => void | Promise<void>): () => void {
  let done = false
  const check = async (): Promise<void> => {
    if (done) return
    const entry = await wallet.ledgerEntry(txid)
    if (entry?.status !== 'seen' && entry?.status !== 'mined') return
    if (entry.status === 'mined') { done = true; off() }
    await onStatus(entry)
  }
  const off = wallet.onChange(() => { void check() })
  void check()
  return () => { done = true; off() }
}
