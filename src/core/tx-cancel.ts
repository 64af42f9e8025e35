// "Cancel for sure": one transaction that spends every coin of a refused payment back to
// one of our own addresses. Once a miner takes it, the refused payment can never be
// mined (its inputs are gone), which is the only proof that it is dead.
import { LockingScript, SatoshisPerKilobyte, Transaction, type PrivateKey } from '@bsv/sdk'
import { addCoinInputs, type BuiltPayment, type SpendableCoin } from './tx-build.ts'

export async function buildSweep<C extends SpendableCoin> (args: {
  coins: readonly C[]
  toScript: string
  satsPerKb: number
  keyFor: (keyPath: string) => PrivateKey
}): Promise<BuiltPayment<C>> {
  if (args.coins.length === 0) throw new Error('There are no coins to take back.')
  const tx = new Transaction()
  addCoinInputs(tx, args.coins, args.keyFor)
  tx.addOutput({ lockingScript: LockingScript.fromHex(args.toScript), change: true })
  await tx.fee(new SatoshisPerKilobyte(args.satsPerKb))
  const back = tx.outputs[0]?.satoshis ?? 0
  if (back < 1) throw new Error('These coins are worth less than the fee needed to take them back.')
  await tx.sign()
  return { tx, txid: tx.id('hex'), fee: tx.getFee(), inputs: [...args.coins], change: { vout: 0, satoshis: back } }
}
