// Issue 8: every row of the ARC status table, fed to a real Wallet as ARC's published spec
// shapes them, ends in the right ledger state, coin state and message for the person.
import { afterEach, describe, expect, it } from 'vitest'
import { fixture, testWallet, coinsOf, type TestWallet } from './wallet-arc-harness.ts'
import { judgeArc } from '../../src/core/arc-status.ts'

type Ledger = 'seen' | 'mined' | 'broadcasting' | 'handed-over' | 'failed'
interface Row {
  fixture: string | 'offline'
  /** What the judge calls it. */
  kind: string
  ledger: Ledger
  /** The paid coin: still reserved (pending), spent, back to spendable, or flagged. */
  input: 'pending' | 'spent' | 'unspent' | 'conflict'
  /** The change coin: spendable (the tx stands or may stand) or gone (the tx is dead). */
  change: 'unspent' | 'gone'
  /** The outbox keeps it to try (or ask) again. */
  outbox: boolean
  message?: RegExp
}

const IN_PROGRESS = ['queued', 'received', 'stored', 'announced-to-network', 'requested-by-network', 'sent-to-network', 'accepted-by-network']

const TABLE: Row[] = [
  { fixture: 'h1-200-mined', kind: 'accepted', ledger: 'mined', input: 'spent', change: 'unspent', outbox: false },
  { fixture: 'h1-200-seen-on-network', kind: 'accepted', ledger: 'seen', input: 'spent', change: 'unspent', outbox: false },
  ...IN_PROGRESS.map((s): Row => ({ fixture: `h1-200-${s}`, kind: 'in-progress', ledger: 'broadcasting', input: 'pending', change: 'unspent', outbox: true })),
  { fixture: 'h1-200-seen-in-orphan-mempool', kind: 'in-progress', ledger: 'broadcasting', input: 'pending', change: 'unspent', outbox: true, message: /missing an earlier transaction.*coins stay reserved/ },
  { fixture: 'h1-200-double-spend-attempted', kind: 'in-progress', ledger: 'broadcasting', input: 'pending', change: 'unspent', outbox: true, message: /Another transaction tries to spend the same coins/ },
  { fixture: 'h1-200-mined-in-stale-block', kind: 'in-progress', ledger: 'broadcasting', input: 'pending', change: 'unspent', outbox: true, message: /block the network then dropped/ },
  { fixture: 'h1-200-rejected', kind: 'failed', ledger: 'failed', input: 'unspent', change: 'gone', outbox: false, message: /refused it: a signature or script does not check out.*"mandatory-script-verify-flag-failed \(Script failed an OP_EQUALVERIFY operation\)"/ },
  { fixture: 'h1-200-rejected-double-spend', kind: 'failed', ledger: 'failed', input: 'conflict', change: 'gone', outbox: false, message: /already spent by another transaction/ },
  { fixture: 'h1-200-unknown', kind: 'transient', ledger: 'handed-over', input: 'pending', change: 'unspent', outbox: true, message: /no news about it yet/ },
  { fixture: 'h1-200-other-txid', kind: 'transient', ledger: 'handed-over', input: 'pending', change: 'unspent', outbox: true, message: /answered about another transaction \(c0d6fce7…\)/ },
  { fixture: 'h1-400-bad-request', kind: 'transient', ledger: 'handed-over', input: 'pending', change: 'unspent', outbox: true, message: /HTTP 400/ },
  { fixture: 'h1-401-not-authorized', kind: 'config', ledger: 'handed-over', input: 'pending', change: 'unspent', outbox: true, message: /Check the ARC key in Settings/ },
  { fixture: 'h1-404-not-found', kind: 'config', ledger: 'handed-over', input: 'pending', change: 'unspent', outbox: true, message: /Check the miner \(ARC\) URL in Settings/ },
  { fixture: 'h1-409-generic', kind: 'transient', ledger: 'handed-over', input: 'pending', change: 'unspent', outbox: true, message: /could not process it this time/ },
  { fixture: 'h1-429-rate-limit', kind: 'transient', ledger: 'handed-over', input: 'pending', change: 'unspent', outbox: true, message: /rate limit/ },
  { fixture: 'h1-503-unavailable', kind: 'transient', ledger: 'handed-over', input: 'pending', change: 'unspent', outbox: true, message: /The miner had trouble answering\. Handover will try again/ },
  { fixture: 'offline', kind: 'transient', ledger: 'handed-over', input: 'pending', change: 'unspent', outbox: true, message: /No answer from the miner/ },
  { fixture: 'h1-461-unlocking-scripts', kind: 'failed', ledger: 'failed', input: 'unspent', change: 'gone', outbox: false, message: /signature or script.*signature check failed/ },
  { fixture: 'h1-463-outputs', kind: 'failed', ledger: 'failed', input: 'unspent', change: 'gone', outbox: false, message: /"transaction output 0 satoshis is invalid"/ },
  { fixture: 'h1-465-fee', kind: 'failed', ledger: 'failed', input: 'unspent', change: 'gone', outbox: false, message: /fee is too low.*minimum expected fee is 2 sat/ },
  { fixture: 'h1-466-conflict', kind: 'failed', ledger: 'failed', input: 'conflict', change: 'gone', outbox: false, message: /already spent by another transaction/ },
  { fixture: 'h1-422-with-code', kind: 'failed', ledger: 'failed', input: 'unspent', change: 'gone', outbox: false, message: /inputs are invalid.*input 0 is spent/ }
]

let tw: TestWallet | undefined
afterEach(() => { tw?.wallet.close(); tw = undefined })

describe('ARC answers on submit, as the spec shapes them', () => {
  it.each(TABLE)('$fixture → $kind: ledger $ledger, coin $input, change $change', async (row) => {
    tw = await testWallet({ submit: () => row.fixture === 'offline' ? 'offline' : fixture(row.fixture) })
    const paid = await tw.pay(20_000)
    const verdict = await tw.wallet.broadcastOnce(paid.txid)
    expect(verdict.kind).toBe(row.kind)
    const entry = await tw.entry(paid.txid)
    expect(entry.status).toBe(row.ledger)
    const coins = await coinsOf(tw, paid.txid)
    expect(coins.inputs).toEqual([row.input])
    expect(coins.change).toEqual(row.change === 'gone' ? [] : ['unspent'])
    expect(await tw.wallet.db.get('outbox', paid.txid) !== undefined).toBe(row.outbox)
    if (row.message !== undefined) expect(entry.error ?? '').toMatch(row.message)
    else expect(entry.error).toBeUndefined()
    // Only a final failure gives the coin back, so it cannot be spent twice.
    const b = await tw.wallet.balance()
    if (row.input === 'unspent') expect(b.spendable).toBe(100_000)
    else if (row.change === 'gone') expect(b.spendable).toBe(0)
    else expect(b.spendable).toBe(100_000 - 20_000 - paid.fee)
    // "Being sent" is the payment (amount + fee) while the network has not taken it, not its input coin.
    expect(b.pending).toBe(row.input === 'pending' ? 20_000 + paid.fee : 0)
    expect(b.spendable + b.pending).toBe(row.input === 'pending' ? 100_000 : b.spendable)
  })

  it('keeps ARC\'s own words on the ledger entry (txStatus, extraInfo, competingTxs)', async () => {
    tw = await testWallet({ submit: () => fixture('h1-200-double-spend-attempted') })
    const paid = await tw.pay(20_000)
    await tw.wallet.broadcastOnce(paid.txid)
    expect(await tw.entry(paid.txid)).toMatchObject({
      arcStatus: 'DOUBLE_SPEND_ATTEMPTED',
      competingTxs: ['c0d6fce714e4225614f000c6a5addaaa1341acbb9c87115114dcf84f37b945a6']
    })
    tw.wallet.close()
    tw = await testWallet({ submit: () => fixture('h1-463-outputs') })
    const p2 = await tw.pay(20_000)
    await tw.wallet.broadcastOnce(p2.txid)
    expect(await tw.entry(p2.txid)).toMatchObject({ status: 'failed', extraInfo: 'transaction output 0 satoshis is invalid' })
  })

  it('an RFC 7807 error about another transaction (a parent in the BEEF) is no verdict on ours', async () => {
    const f = fixture('h1-461-unlocking-scripts')
    const v = judgeArc({ httpStatus: 461, txid: 'ab'.repeat(32), extraInfo: 'arc error 461: parent script failed' }, 'cd'.repeat(32), 'submit')
    expect(f.status).toBe(461)
    expect(v.kind).toBe('transient')
  })
})
