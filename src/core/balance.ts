// What the balance line says, from the wallet's coins and ledger. Pure: the wallet reads the
// records, this decides what they mean to a person.
//
// "Being sent" is money leaving in payments the network has not taken yet: each payment's
// amount plus its fee, as the ledger booked it. It is NOT the coins those payments spend:
// a 20,012-sat payment from a 1,000,000-sat coin sends 20,012 sats (its change is already
// counted as spendable), and chained payments each spend the previous one's change.

export interface BalanceCoin {
  satoshis: number
  txid: string
  status: 'unspent' | 'pending' | 'spent' | 'conflict' | 'incoming'
  spentBy?: string
}

export interface BalanceEntry {
  txid: string
  direction: 'in' | 'out' | 'self'
  /** Net effect on the wallet: negative for payments out (amount + fee). */
  amount: number
  status: 'signed' | 'handed-over' | 'broadcasting' | 'seen' | 'mined' | 'failed' | 'refused' | 'cancelled'
  /** Set on a "Cancel for sure" transaction. */
  cancels?: string
}

export interface Balance {
  /** Spendable now (confirmed or our own / verified unconfirmed). */
  spendable: number
  /** Leaving in payments the network has not taken yet: amount + fee of each. */
  pending: number
  /** Handed to us and verified, waiting for a miner to take it. */
  incoming: number
  /**
   * Coins held by a payment the payee refused but may still broadcast (or by our cancel of
   * it): neither spendable nor gone until the network decides.
   */
  reserved: number
}

/** Statuses of a payment we made that the network has not taken (nor refused) yet. */
const IN_FLIGHT: ReadonlySet<BalanceEntry['status']> = new Set(['signed', 'handed-over', 'broadcasting'])

export function balanceOf (coins: readonly BalanceCoin[], entries: readonly BalanceEntry[]): Balance {
  const byTxid = new Map(entries.map(e => [e.txid, e]))
  let spendable = 0
  let incoming = 0
  let reserved = 0
  for (const c of coins) {
    if (c.status === 'unspent') spendable += c.satoshis
    // Our own change waiting on a refused payment or a cancel is not money arriving.
    else if (c.status === 'incoming' && byTxid.get(c.txid)?.direction === 'in') incoming += c.satoshis
    else if (c.status === 'pending' && c.spentBy !== undefined) {
      const by = byTxid.get(c.spentBy)
      if (by !== undefined && (by.status === 'refused' || (by.cancels !== undefined && IN_FLIGHT.has(by.status)))) reserved += c.satoshis
    }
  }
  let pending = 0
  for (const e of entries) {
    // A cancel's coins are already counted as reserved above.
    if (e.direction !== 'in' && e.cancels === undefined && IN_FLIGHT.has(e.status)) pending += Math.max(0, -e.amount)
  }
  return { spendable, pending, incoming, reserved }
}

/**
 * Payments of ours still on their way: signed (and stored) but not yet taken by the network.
 * A reopened phone puts these on its home screen, newest first, so its owner sees "Payment
 * to X: not yet seen by the network" instead of wondering whether to pay again. A "Cancel
 * for sure" is not a payment to anyone and shows in the balance line as reserved instead.
 */
export function paymentsOnTheirWay<E extends BalanceEntry & { createdAt: number }> (entries: readonly E[]): E[] {
  return entries
    .filter(e => e.direction === 'out' && e.cancels === undefined && IN_FLIGHT.has(e.status))
    .sort((a, b) => b.createdAt - a.createdAt)
}
