// Contacts: names for identity keys, trust on first use. A name belongs to one key;
// the same name on a new key is exactly what an impostor would look like, so it is flagged.
import type { AppDB } from '../store/db.ts'
import type { ContactRecord } from '../store/records.ts'

export interface PeerIdentity {
  identityKey: string
  contact?: ContactRecord
  /** First time this key is seen. */
  isNew: boolean
}

export async function recordPeer (db: AppDB, identityKey: string, now = Date.now()): Promise<PeerIdentity> {
  if (!/^0[23][0-9a-f]{64}$/.test(identityKey)) throw new Error('Not an identity key.')
  const tx = db.transaction('contacts', 'readwrite')
  const known = await tx.store.get(identityKey)
  const contact: ContactRecord = known === undefined ? { identityKey, firstSeen: now, lastSeen: now } : { ...known, lastSeen: now }
  await tx.store.put(contact)
  await tx.done
  return { identityKey, contact, isNew: known === undefined }
}

export class NameTaken extends Error {
  constructor (readonly takenName: string, readonly otherKey: string) {
    super(`You already have a contact called "${takenName}" with a different key. If this is the same person, they have a new phone or wallet; if not, someone may be pretending to be them.`)
  }
}

/** Names a contact. Refuses a name another key already has unless `replace` is set. */
export async function nameContact (db: AppDB, identityKey: string, name: string, replace = false): Promise<ContactRecord> {
  const clean = name.trim().slice(0, 60)
  if (clean === '') throw new Error('Enter a name.')
  const tx = db.transaction('contacts', 'readwrite')
  const sameName = (await tx.store.index('name').getAll(clean)).filter(c => c.identityKey !== identityKey)
  if (sameName.length > 0 && !replace) { tx.abort(); throw new NameTaken(clean, sameName[0]!.identityKey) }
  for (const other of sameName) { const { name: _n, ...rest } = other; await tx.store.put(rest) }
  const now = Date.now()
  const current = await tx.store.get(identityKey) ?? { identityKey, firstSeen: now, lastSeen: now }
  const next = { ...current, name: clean }
  await tx.store.put(next)
  await tx.done
  return next
}

export async function listContacts (db: AppDB): Promise<ContactRecord[]> {
  return (await db.getAll('contacts')).sort((a, b) => b.lastSeen - a.lastSeen)
}

export async function contactFor (db: AppDB, identityKey: string): Promise<ContactRecord | undefined> {
  return await db.get('contacts', identityKey)
}
