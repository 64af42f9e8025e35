// Sync's SPV check: history ending in a coinbase is judged by the real maturity rule. These
// tests fail on @bsv/sdk 2.1's own Transaction.verify, which inverts coinbase maturity.
import { describe, expect, it } from 'vitest'
import { LockingScript, MerklePath, P2PKH, PrivateKey, Transaction, UnlockingScript, type ChainTracker } from '@bsv/sdk'
import { isMatureCoinbase, verifySpv } from '../../src/core/spv.ts'

const key = PrivateKey.fromHex('11'.repeat(32))
const lock = new P2PKH().lock(key.toAddress([0x6f]))
const MINED_AT = 1000

/** A coinbase paying 50 BSV to our key, at offset 0 of a two-tx block at MINED_AT. */
function coinbase (): { tx: Transaction, root: string } {
  const tx = new Transaction()
  tx.addInput({ sourceTXID: '00'.repeat(32), sourceOutputIndex: 0xffffffff, unlockingScript: new UnlockingScript([{ op: 3, data: [0xe8, 0x03, 0x00] }]), sequence: 0xffffffff })
  tx.addOutput({ lockingScript: lock, satoshis: 5_000_000_000 })
  const txid = tx.id('hex')
  tx.merklePath = new MerklePath(MINED_AT, [[{ offset: 0, hash: txid, txid: true }, { offset: 1, hash: 'cd'.repeat(32) }]])
  return { tx, root: tx.merklePath.computeRoot(txid) }
}

const tracker = (root: string, tip: number): ChainTracker => ({
  isValidRootForHeight: async (r, h) => r === root && h === MINED_AT,
  currentHeight: async () => tip
})

async function spend (parent: Transaction, unlockWith = key): Promise<Transaction> {
  const t = new Transaction()
  t.addInput({ sourceTransaction: parent, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(unlockWith) })
  t.addOutput({ lockingScript: lock, satoshis: 4_999_999_000 })
  await t.sign()
  return t
}

describe('SPV with coinbase history', () => {
  it('maturity: a coinbase is spendable 100 blocks after its own', () => {
    expect(isMatureCoinbase(1000, 1099)).toBe(false)
    expect(isMatureCoinbase(1000, 1100)).toBe(true)
  })

  it('accepts a mature coinbase coin', async () => {
    const { tx, root } = coinbase()
    await expect(verifySpv(tx, tracker(root, MINED_AT + 150))).resolves.toBeUndefined()
  })

  it('refuses an immature coinbase coin, saying why', async () => {
    const { tx, root } = coinbase()
    await expect(verifySpv(tx, tracker(root, MINED_AT + 50))).rejects.toThrow(/not matured/)
  })

  it('accepts an unconfirmed payment out of a mature coinbase, refuses one out of an immature coinbase', async () => {
    const { tx, root } = coinbase()
    const child = await spend(tx)
    await expect(verifySpv(child, tracker(root, MINED_AT + 150))).resolves.toBeUndefined()
    await expect(verifySpv(child, tracker(root, MINED_AT + 10))).rejects.toThrow(/not matured/)
  })

  it('refuses a proof whose root is not the header’s, and a history with a bad signature', async () => {
    const { tx } = coinbase()
    await expect(verifySpv(tx, tracker('ee'.repeat(32), MINED_AT + 150))).rejects.toThrow(/invalid merkle proof/)
    const { tx: cb, root } = coinbase()
    const forged = await spend(cb, PrivateKey.fromHex('22'.repeat(32)))
    await expect(verifySpv(forged, tracker(root, MINED_AT + 150))).rejects.toThrow()
  })

  it('refuses an unproven transaction whose input has no history', async () => {
    const t = new Transaction()
    t.addInput({ sourceTXID: 'ab'.repeat(32), sourceOutputIndex: 0, unlockingScript: new LockingScript([]) as never })
    t.addOutput({ lockingScript: lock, satoshis: 1 })
    await expect(verifySpv(t, tracker('00', 1))).rejects.toThrow(/no history/)
  })

  // Canary: the reason src/core/spv.ts exists. When @bsv/sdk fixes MerklePath.verify this test
  // fails; then sync can go back to tx.verify(tracker) and the module can be dropped.
  it('canary: @bsv/sdk still inverts coinbase maturity', async () => {
    const { tx, root } = coinbase()
    expect(await tx.merklePath!.verify(tx.id('hex'), tracker(root, MINED_AT + 150))).toBe(false) // mature, refused
    expect(await tx.merklePath!.verify(tx.id('hex'), tracker(root, MINED_AT + 10))).toBe(true) // immature, accepted
  })
})
