// Wallet benchmarks in Node: vault unlock, signing, BEEF verification, coin selection.
import { MerklePath, P2PKH, PrivateKey, SatoshisPerKilobyte, Transaction, type ChainTracker } from '@bsv/sdk'
import { selectCoins } from '../src/core/coin-select.ts'
import { buildPayment } from '../src/core/tx-build.ts'
import { openSecret, sealSecret } from '../src/store/vault-crypto.ts'

function print (metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit }))
}

async function median (runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

const key = PrivateKey.fromHex('07'.repeat(32))
const script = new P2PKH().lock(key.toAddress([0x6f])).toHex()

/** A proven funding tx (merkle path of a one-tx block) and a tracker that knows its root. */
function provenFunding (outputs: number[]): { tx: Transaction, tracker: ChainTracker } {
  const tx = new Transaction()
  tx.addInput({ sourceTXID: 'aa'.repeat(32), sourceOutputIndex: 0, unlockingScript: new P2PKH().lock(key.toAddress([0x6f])) as never })
  for (const s of outputs) tx.addOutput({ lockingScript: new P2PKH().lock(key.toAddress([0x6f])), satoshis: s })
  const txid = tx.id('hex')
  tx.merklePath = new MerklePath(1000, [[{ offset: 0, hash: txid, txid: true }, { offset: 1, hash: 'bb'.repeat(32) }]])
  const root = tx.merklePath.computeRoot(txid)
  return { tx, tracker: { isValidRootForHeight: async (r, h) => r === root && h === 1000, currentHeight: async () => 1100 } }
}

// vault_unlock_ms: PBKDF2-SHA256 600k + AES-GCM, as on every unlock.
const sealed = await sealSecret({ mnemonic: 'x', bip39Passphrase: '', seedHex: '00'.repeat(64) }, 'bench passphrase')
print('vault_unlock_ms', await median(5, async () => await openSecret(sealed, 'bench passphrase')), 'ms')

// sign_3in2out_ms: select, build, fee and sign a 3-input, 2-output payment.
const funding = provenFunding([40_000, 40_000, 40_000])
const coins = [0, 1, 2].map(vout => ({ txid: funding.tx.id('hex'), vout, satoshis: 40_000, keyPath: 'k', sourceTransaction: funding.tx }))
print('sign_3in2out_ms', await median(20, async () => await buildPayment({
  coins, outputs: [{ lockingScript: script, satoshis: 100_000 }], changeScript: script, satsPerKb: 50, keyFor: () => key
})), 'ms')

// verify_beef_depth50_ms: a chain of 50 unconfirmed txs above one proven ancestor, parsed from BEEF and verified.
let tip = provenFunding([1_000_000])
let prev = tip.tx
for (let i = 0; i < 50; i++) {
  const t = new Transaction()
  t.addInput({ sourceTransaction: prev, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(key) })
  t.addOutput({ lockingScript: new P2PKH().lock(key.toAddress([0x6f])), satoshis: prev.outputs[0]!.satoshis! - 100 })
  await t.fee(new SatoshisPerKilobyte(0))
  await t.sign()
  prev = t
}
const beef = prev.toBEEF()
print('verify_beef_depth50_ms', await median(5, async () => {
  const ok = await Transaction.fromBEEF(beef).verify(tip.tracker)
  if (!ok) throw new Error('BEEF did not verify')
}), 'ms')

// coin_select_10k_ms: selection over 10,000 coins of assorted sizes (goal ≤ 10 ms).
const many = Array.from({ length: 10_000 }, (_, i) => ({ txid: i.toString(16).padStart(64, '0'), vout: 0, satoshis: 500 + ((i * 7919) % 100_000) }))
print('coin_select_10k_ms', await median(21, () => selectCoins(many, [25], 2_500_000, 50)), 'ms')
