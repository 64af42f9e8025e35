// Builds and signs a P2PKH payment with an explicit fee model (never the SDK's
// LivePolicy, which would fetch a policy over the internet).
import { LockingScript, P2PKH, SatoshisPerKilobyte, Transaction, type PrivateKey } from '@bsv/sdk'
import { selectCoins, type SelectableCoin } from './coin-select.ts'

export interface PaymentOutput {
  lockingScript: string
  satoshis: number
}

export interface SpendableCoin extends SelectableCoin {
  /** Where the key lives (BIP32 path). */
  keyPath: string
  /** The transaction that created this coin, carrying its ancestry (merkle path or parents) for BEEF. */
  sourceTransaction: Transaction
}

export interface BuiltPayment<C extends SpendableCoin> {
  tx: Transaction
  txid: string
  fee: number
  inputs: C[]
  /** Index and amount of our change output, if any. */
  change?: { vout: number, satoshis: number }
}

export async function buildPayment<C extends SpendableCoin> (args: {
  coins: readonly C[]
  outputs: PaymentOutput[]
  changeScript: string
  satsPerKb: number
  keyFor: (keyPath: string) => PrivateKey
}): Promise<BuiltPayment<C>> {
  const { outputs, satsPerKb } = args
  if (outputs.length === 0) throw new Error('A payment needs at least one output.')
  for (const o of outputs) {
    if (!Number.isSafeInteger(o.satoshis) || o.satoshis < 1) throw new Error('Every output must pay at least 1 satoshi.')
  }
  const target = outputs.reduce((s, o) => s + o.satoshis, 0)
  const scripts = outputs.map(o => LockingScript.fromHex(o.lockingScript))
  const selection = selectCoins(args.coins, scripts.map(s => s.toBinary().length), target, satsPerKb)

  const tx = new Transaction()
  addCoinInputs(tx, selection.inputs, args.keyFor)
  scripts.forEach((lockingScript, i) => tx.addOutput({ lockingScript, satoshis: outputs[i]!.satoshis }))
  if (selection.change > 0) tx.addOutput({ lockingScript: LockingScript.fromHex(args.changeScript), change: true })
  await tx.fee(new SatoshisPerKilobyte(satsPerKb))
  await tx.sign()

  const fee = tx.getFee()
  const changeVout = selection.change > 0 ? tx.outputs.findIndex(o => o.change === true) : -1
  return {
    tx,
    txid: tx.id('hex'),
    fee,
    inputs: selection.inputs,
    change: changeVout >= 0 ? { vout: changeVout, satoshis: tx.outputs[changeVout]!.satoshis! } : undefined
  }
}

/**
 * Adds each coin as a P2PKH input signed SIGHASH_ALL|FORKID, after checking the coin against
 * its own source transaction (a stored coin that disagrees with its history is never spent).
 */
export function addCoinInputs (tx: Transaction, coins: readonly SpendableCoin[], keyFor: (keyPath: string) => PrivateKey): void {
  for (const coin of coins) {
    const out = coin.sourceTransaction.outputs[coin.vout]
    if (out === undefined || out.satoshis !== coin.satoshis) throw new Error(`coin ${coin.txid}:${coin.vout} does not match its source transaction`)
    tx.addInput({
      sourceTransaction: coin.sourceTransaction,
      sourceOutputIndex: coin.vout,
      unlockingScriptTemplate: new P2PKH().unlock(keyFor(coin.keyPath), 'all', false, coin.satoshis, out.lockingScript)
    })
  }
}
