// Restore and sync against the devnet limited as WhatsOnChain is without a key (3 requests/s,
// 429 + Retry-After beyond it; its bulk endpoints), with a real Wallet on an in-memory
// IndexedDB. tests/helpers/woc-double.ts only counts the requests.
//   restore_scan_s                  words → every coin found, coins on 3 wallet layouts (goal ≤ 10 s)
//   restore_requests                chain-data requests that restore made (429s included)
//   sync_requests_per_100_addresses an ordinary sync of a wallet with 100 addresses handed out
import 'fake-indexeddb/auto'
import { startAppServer } from '../server/app-server.ts'
import { DEFAULT_SETTINGS } from '../src/app/settings.ts'
import { Wallet, type SyncProgress } from '../src/app/wallet.ts'
import { addressOf, Keyring, keyPath, RESTORE_LAYOUTS } from '../src/core/keys.ts'
import type { Settings } from '../src/store/records.ts'
import { wocDouble } from '../tests/helpers/woc-double.ts'

const print = (metric: string, value: number, unit: string): void => { console.log(JSON.stringify({ metric, value: Math.round(value * 100) / 100, unit })) }

const srv = await startAppServer({ host: '127.0.0.1', port: 0, devnetFile: ':memory:', devnetRateLimit: { perSecond: 3 } })
const realFetch = globalThis.fetch.bind(globalThis)
try {
  const settings = (chainRps: number): Settings => {
    const s = structuredClone(DEFAULT_SETTINGS)
    s.endpoints.devnet = { arc: '/devnet/arc', chain: '/devnet/chain', chainRps }
    return s
  }
  const faucet = async (address: string, satoshis: number): Promise<void> => {
    const r = await realFetch(srv.url + '/devnet/faucet', { method: 'POST', body: JSON.stringify({ address, satoshis }) })
    if (!r.ok) throw new Error(`faucet ${r.status}`)
  }

  // Coins on three layouts: ours, BIP44 coin 0 (change chain), Relysia.
  const seed = Array.from({ length: 64 }, (_, i) => (i * 13 + 5) & 0xff)
  const keys = new Keyring(seed)
  const at = (chain: string, index: number): string => addressOf(keys.publicKey(keyPath(chain, index)), 'devnet')
  const [handover, bip44, , , relysia] = RESTORE_LAYOUTS
  await faucet(at(handover!.receive, 0), 10_000)
  await faucet(at(bip44!.change, 4), 20_000)
  await faucet(at(relysia!.receive, 12), 30_000)
  await realFetch(srv.url + '/devnet/mine', { method: 'POST', body: '{"blocks":1}' })

  const limited = wocDouble({ chainBase: srv.url + '/devnet/chain', inner: realFetch })
  globalThis.fetch = limited.fetch
  const w = await Wallet.open(seed, settings(3), srv.url, 'bench-restore')
  const t0 = performance.now()
  const report = await w.sync({ restore: true })
  const secs = (performance.now() - t0) / 1000
  const found = (await w.balance()).spendable
  w.close()
  if (found !== 60_000 || report.rejected.length > 0) throw new Error(`restore found ${found} sats, rejected ${report.rejected.join('; ')}`)
  print('restore_scan_s', secs, 's')
  print('restore_requests', limited.requests, 'requests')

  // An ordinary sync: 100 receive addresses handed out, nothing new on them.
  const counting = wocDouble({ chainBase: srv.url + '/devnet/chain', inner: realFetch })
  globalThis.fetch = counting.fetch
  const w2 = await Wallet.open(Array.from({ length: 64 }, (_, i) => (i * 7 + 1) & 0xff), settings(3), srv.url, 'bench-sync')
  for (let i = 0; i < 100; i++) await w2.db.put('addresses', { ...(await w2.receiveAddress()), used: true })
  counting.reset()
  let last: SyncProgress | undefined
  await w2.sync({ onProgress: p => { last = p } })
  w2.close()
  print('sync_requests_per_100_addresses', counting.requests / (last?.total ?? 1) * 100, 'requests')
} finally {
  globalThis.fetch = realFetch
  await srv.close()
}
