// Seeds a wallet database with N coins, then times what the app does on open:
// open the chain database, read the balance, show it.
import { Utils } from '@bsv/sdk'
import { openChainDB } from '../../../src/store/db.ts'
import { Wallet } from '../../../src/app/wallet.ts'
import { DEFAULT_SETTINGS } from '../../../src/app/settings.ts'
import type { CoinRecord } from '../../../src/store/records.ts'

declare global { interface Window { runBench: (n: number) => Promise<number[]> } }

window.runBench = async (n: number): Promise<number[]> => {
  const prefix = `bench-${Date.now()}`
  const db = await openChainDB('devnet', prefix)
  const tx = db.transaction('coins', 'readwrite')
  for (let i = 0; i < n; i++) {
    const txid = i.toString(16).padStart(64, '0')
    const coin: CoinRecord = { id: `${txid}:0`, txid, vout: 0, satoshis: 1000 + i, lockingScript: '76a914' + '00'.repeat(20) + '88ac', keyPath: `m/44'/236'/0'/0/${i % 100}`, status: i % 10 === 0 ? 'spent' : 'unspent', createdAt: i }
    void tx.store.put(coin)
  }
  await tx.done
  db.close()
  const seed = Utils.toArray('00'.repeat(64), 'hex')
  const times: number[] = []
  for (let run = 0; run < 7; run++) {
    const t0 = performance.now()
    const wallet = await Wallet.open(seed, DEFAULT_SETTINGS, location.origin, prefix)
    const b = await wallet.balance()
    document.getElementById('balance')!.textContent = `${b.spendable} sats`
    await new Promise(requestAnimationFrame)
    times.push(performance.now() - t0)
    wallet.close()
  }
  return times
}
