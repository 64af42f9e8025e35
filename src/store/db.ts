// One IndexedDB database per network for chain state, one for the vault and settings.
// Keeping networks apart means a devnet coin can never be mistaken for a mainnet one.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { Network } from '../core/network.ts'
import type { AddressRecord, CoinRecord, ContactRecord, HeaderRecord, LedgerRecord, MetaRecord, OutboxRecord, SessionRecord, Settings, TxRecord, VaultRecord } from './records.ts'

export interface AppSchema extends DBSchema {
  vault: { key: string, value: VaultRecord }
  settings: { key: string, value: Settings }
  contacts: { key: string, value: ContactRecord, indexes: { name: string } }
}

export interface ChainSchema extends DBSchema {
  coins: { key: string, value: CoinRecord, indexes: { status: string, spentBy: string } }
  txs: { key: string, value: TxRecord }
  ledger: { key: string, value: LedgerRecord, indexes: { createdAt: number } }
  outbox: { key: string, value: OutboxRecord }
  headers: { key: number, value: HeaderRecord }
  addresses: { key: string, value: AddressRecord, indexes: { address: string } }
  /** Face-to-face payment sessions (payer or payee), the protocol state machines' durable state. */
  sessions: { key: string, value: SessionRecord, indexes: { updatedAt: number } }
  /** Small facts learned from the network (e.g. the miner's fee rate), kept for offline use. */
  meta: { key: string, value: MetaRecord }
}

export type AppDB = IDBPDatabase<AppSchema>
export type ChainDB = IDBPDatabase<ChainSchema>

export async function openAppDB (name = 'handover'): Promise<AppDB> {
  return await openDB<AppSchema>(name, 2, {
    upgrade (db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('vault', { keyPath: 'id' })
        db.createObjectStore('settings')
      }
      if (oldVersion < 2) db.createObjectStore('contacts', { keyPath: 'identityKey' }).createIndex('name', 'name')
    }
  })
}

export async function openChainDB (network: Network, prefix = 'handover'): Promise<ChainDB> {
  return await openDB<ChainSchema>(`${prefix}-${network}`, 2, {
    upgrade (db, oldVersion) {
      if (oldVersion < 1) createV1(db)
      if (oldVersion < 2) {
        db.createObjectStore('sessions', { keyPath: 'paymentId' }).createIndex('updatedAt', 'updatedAt')
        db.createObjectStore('meta', { keyPath: 'key' })
      }
    }
  })
}

function createV1 (db: IDBPDatabase<ChainSchema>): void {
  const coins = db.createObjectStore('coins', { keyPath: 'id' })
  coins.createIndex('status', 'status')
  coins.createIndex('spentBy', 'spentBy')
  db.createObjectStore('txs', { keyPath: 'txid' })
  db.createObjectStore('ledger', { keyPath: 'txid' }).createIndex('createdAt', 'createdAt')
  db.createObjectStore('outbox', { keyPath: 'txid' })
  db.createObjectStore('headers', { keyPath: 'height' })
  db.createObjectStore('addresses', { keyPath: 'keyPath' }).createIndex('address', 'address')
}
