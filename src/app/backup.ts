// Encrypted backup file: the sealed vault exactly as stored (already encrypted under the
// passphrase), plus settings. Nothing in it is readable without the passphrase.
import * as v from 'valibot'
import type { AppDB } from '../store/db.ts'
import type { Settings } from '../store/records.ts'
import { openSecret, type SealedVault, type VaultSecret } from '../store/vault-crypto.ts'

export const BACKUP_KIND = 'handover-backup'

const Sealed = v.object({
  v: v.literal(1),
  kdf: v.object({ name: v.literal('PBKDF2'), hash: v.literal('SHA-256'), iterations: v.pipe(v.number(), v.integer(), v.minValue(100_000), v.maxValue(10_000_000)), salt: v.pipe(v.string(), v.maxLength(64)) }),
  cipher: v.object({ name: v.literal('AES-GCM'), iv: v.pipe(v.string(), v.maxLength(64)) }),
  ciphertext: v.pipe(v.string(), v.maxLength(10_000))
})
const BackupFile = v.object({ kind: v.literal(BACKUP_KIND), version: v.literal(1), createdAt: v.number(), vault: Sealed })

export interface Backup {
  kind: typeof BACKUP_KIND
  version: 1
  createdAt: number
  vault: SealedVault
  settings?: Settings
}

export async function exportBackup (db: AppDB): Promise<Backup> {
  const rec = await db.get('vault', 'main')
  if (rec === undefined) throw new Error('There is no wallet to back up.')
  return { kind: BACKUP_KIND, version: 1, createdAt: Date.now(), vault: rec.sealed, settings: await db.get('settings', 'settings') }
}

/** Reads a backup file and opens it with its passphrase; throws a readable error otherwise. */
export async function readBackup (text: string, passphrase: string): Promise<VaultSecret> {
  if (text.length > 100_000) throw new Error('That file is too large to be a Handover backup.')
  let json: unknown
  try { json = JSON.parse(text) } catch { throw new Error('That file is not a Handover backup (it is not JSON).') }
  const parsed = v.safeParse(BackupFile, json)
  if (!parsed.success) throw new Error('That file is not a Handover backup, or it is damaged.')
  return await openSecret(parsed.output.vault as SealedVault, passphrase)
}

export function backupFileName (now = new Date()): string {
  return `handover-backup-${now.toISOString().slice(0, 10)}.json`
}
