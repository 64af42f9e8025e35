// Shared by the devnet tests: fund keys from the faucet and build spends with an exact fee.
import { expect } from 'vitest'
import { P2PKH, PrivateKey, Transaction } from '@bsv/sdk'

export const alice = PrivateKey.fromHex('01'.repeat(32))
export const bob = PrivateKey.fromHex('02'.repeat(32))
export const carol = PrivateKey.fromHex('03'.repeat(32))
export const addr = (k: PrivateKey): string => k.toAddress([0x6f])

export async function faucet (base: string, k: PrivateKey, satoshis: number): Promise<Transaction> {
  const r = await fetch(base + '/faucet', { method: 'POST', body: JSON.stringify({ address: addr(k), satoshis }) })
  expect(r.status).toBe(200)
  const { txid } = await r.json() as { txid: string }
  const hex = await (await fetch(`${base}/chain/tx/${txid}/hex`)).text()
  return Transaction.fromHex(hex)
}

export async function mine (base: string, blocks = 1): Promise<void> {
  const r = await fetch(base + '/mine', { method: 'POST', body: JSON.stringify({ blocks }) })
  expect(r.status).toBe(200)
}

/** ARC's rule (go-sdk SatoshisPerKilobyte): ceil(size / 1000 * rate). */
export const arcFee = (size: number, satsPerKb = 50): number => Math.ceil(size / 1000 * satsPerKb)

/**
 * Spends `source:vout` (owned by `key`): `sats` to `to`, change back to `key`, paying exactly
 * ARC's required fee plus `feeDelta` (negative: too little).
 */
export async function spend (source: Transaction, vout: number, key: PrivateKey, to: PrivateKey, sats: number, feeDelta = 0, outputs = 1): Promise<Transaction> {
  const inSats = source.outputs[vout]!.satoshis!
  const tx = new Transaction()
  tx.addInput({ sourceTransaction: source, sourceOutputIndex: vout, unlockingScriptTemplate: new P2PKH().unlock(key) })
  for (let i = 0; i < outputs; i++) tx.addOutput({ lockingScript: new P2PKH().lock(addr(to)), satoshis: sats })
  tx.addOutput({ lockingScript: new P2PKH().lock(addr(key)), satoshis: 1 })
  let size = 0
  // Signatures vary by a byte; settle the size, then the fee that size needs.
  for (let i = 0; i < 5; i++) {
    await tx.sign()
    const now = tx.toBinary().length
    if (now === size) break
    size = now
    tx.outputs[tx.outputs.length - 1]!.satoshis = inSats - sats * outputs - arcFee(size) - feeDelta
  }
  await tx.sign()
  expect(inSats - tx.outputs.reduce((s, o) => s + o.satoshis!, 0)).toBe(arcFee(tx.toBinary().length) + feeDelta)
  return tx
}
