// The balance line after paying: "being sent" is what the payments send (amount + fee), not
// the coins they spend; the reports from issue 13 as cases.
import { describe, expect, it } from 'vitest'
import { balanceOf, type BalanceCoin, type BalanceEntry } from '../../src/core/balance.ts'

const faucet: BalanceEntry = { txid: 'f', direction: 'in', amount: 1_000_000, status: 'mined' }

describe('balanceOf', () => {
  it('one payment of 20,000 + 12 fee from a 1,000,000 coin: 979,988 spendable, 20,012 being sent', () => {
    const coins: BalanceCoin[] = [
      { txid: 'f', satoshis: 1_000_000, status: 'pending', spentBy: 'p1' },
      { txid: 'p1', satoshis: 979_988, status: 'unspent' }
    ]
    const entries: BalanceEntry[] = [faucet, { txid: 'p1', direction: 'out', amount: -20_012, status: 'handed-over' }]
    expect(balanceOf(coins, entries)).toEqual({ spendable: 979_988, pending: 20_012, incoming: 0, reserved: 0 })
  })

  it('three chained payments: being sent is their sum, and spendable + being sent is what the wallet held', () => {
    const coins: BalanceCoin[] = [
      { txid: 'f', satoshis: 1_000_000, status: 'pending', spentBy: 'p1' },
      { txid: 'p1', satoshis: 979_988, status: 'pending', spentBy: 'p2' },
      { txid: 'p2', satoshis: 969_976, status: 'pending', spentBy: 'p3' },
      { txid: 'p3', satoshis: 964_964, status: 'unspent' }
    ]
    const entries: BalanceEntry[] = [
      faucet,
      { txid: 'p1', direction: 'out', amount: -20_012, status: 'broadcasting' },
      { txid: 'p2', direction: 'out', amount: -10_012, status: 'signed' },
      { txid: 'p3', direction: 'out', amount: -5_012, status: 'handed-over' }
    ]
    const b = balanceOf(coins, entries)
    expect(b.pending).toBe(35_036)
    expect(b.spendable + b.pending).toBe(1_000_000)
  })

  it('a payment the network took is no longer being sent', () => {
    const coins: BalanceCoin[] = [{ txid: 'p1', satoshis: 979_988, status: 'unspent' }]
    const entries: BalanceEntry[] = [faucet, { txid: 'p1', direction: 'out', amount: -20_012, status: 'seen' }]
    expect(balanceOf(coins, entries)).toEqual({ spendable: 979_988, pending: 0, incoming: 0, reserved: 0 })
  })

  it('a refused payment holds its coins as reserved (its change waits), a cancel of it too, without counting twice', () => {
    const coins: BalanceCoin[] = [
      { txid: 'f', satoshis: 1_000_000, status: 'pending', spentBy: 'p1' },
      { txid: 'p1', satoshis: 979_988, status: 'incoming' }
    ]
    const refused: BalanceEntry = { txid: 'p1', direction: 'out', amount: -20_012, status: 'refused' }
    expect(balanceOf(coins, [faucet, refused])).toEqual({ spendable: 0, pending: 0, incoming: 0, reserved: 1_000_000 })
    const cancelling: BalanceCoin[] = [{ ...coins[0]!, spentBy: 'c1' }, { txid: 'c1', satoshis: 999_990, status: 'incoming' }]
    const cancel: BalanceEntry = { txid: 'c1', direction: 'self', amount: -10, status: 'broadcasting', cancels: 'p1' }
    expect(balanceOf(cancelling, [faucet, refused, cancel])).toEqual({ spendable: 0, pending: 0, incoming: 0, reserved: 1_000_000 })
  })

  it('money handed to us counts as arriving; our own change of a refused payment does not', () => {
    const coins: BalanceCoin[] = [{ txid: 'in1', satoshis: 25_000, status: 'incoming' }]
    const entries: BalanceEntry[] = [{ txid: 'in1', direction: 'in', amount: 25_000, status: 'handed-over' }]
    expect(balanceOf(coins, entries)).toEqual({ spendable: 0, pending: 0, incoming: 25_000, reserved: 0 })
  })
})

describe('paymentsOnTheirWay (home screen after reopening)', () => {
  it('lists our payments the network has not taken yet, newest first; not incoming, settled, refused or cancel-for-sure ones', async () => {
    const { paymentsOnTheirWay } = await import('../../src/core/balance.ts')
    const e = (txid: string, status: BalanceEntry['status'], createdAt: number, more: Partial<BalanceEntry> = {}): BalanceEntry & { createdAt: number } =>
      ({ txid, direction: 'out', amount: -1_000, status, createdAt, ...more })
    const list = [
      e('signed', 'signed', 1), e('handed', 'handed-over', 3), e('sending', 'broadcasting', 2),
      e('seen', 'seen', 4), e('mined', 'mined', 5), e('failed', 'failed', 6), e('refused', 'refused', 7),
      e('cancel', 'signed', 8, { direction: 'self', cancels: 'refused' }), e('in', 'handed-over', 9, { direction: 'in', amount: 1_000 })
    ]
    expect(paymentsOnTheirWay(list).map(x => x.txid)).toEqual(['handed', 'sending', 'signed'])
  })
})
