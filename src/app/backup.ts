// Encrypted backup file: the sealed vault exactly as stored (already encrypted under the
// passphrase), plus settings, which hold API keys and TURN credentials. Since version 2
// the settings are sealed too, under a key derived from the wallet's seed, so nothing
// in the file is readable without the passphrase. Version 1 files (settings in the
// clear, or none) still restore.
import * as v from 'valibot'
import { NETWORKS } from '../core/network.ts'
import type { AppDB } from '../store/db.ts'
import { DEFAULT_SETTINGS, validateSettings } from './settings.ts'
import type { Settings } from '../store/records.ts'
import {
  MAX_PBKDF2_ITERATIONS, MIN_PBKDF2_ITERATIONS, openSecret, openWithSeed, sealWithSeed,
  type SealedVault, type SeedSealed, type VaultSecret
} from '../store/vault-crypto.ts'

export const BACKUP_KIND = 'handover-backup'
const SETTINGS_INFO = 'handover/backup-settings/v1'

const Sealed = v.object({
  v: v.literal(1),
  kdf: v.object({ name: v.literal('PBKDF2'), hash: v.literal('SHA-256'), iterations: v.pipe(v.number(), v.integer(), v.minValue(MIN_PBKDF2_ITERATIONS), v.maxValue(MAX_PBKDF2_ITERATIONS)), salt: v.pipe(v.string(), v.maxLength(64)) }),
  cipher: v.object({ name: v.literal('AES-GCM'), iv: v.pipe(v.string(), v.maxLength(64)) }),
  ciphertext: v.pipe(v.string(), v.maxLength(10_000))
})
const SeedSealedSchema = v.object({
  cipher: v.object({ name: v.literal('AES-GCM'), iv: v.pipe(v.string(), v.maxLength(64)) }),
  ciphertext: v.pipe(v.string(), v.maxLength(50_000))
})
const BackupV1 = v.object({ kind: v.literal(BACKUP_KIND), version: v.literal(1), createdAt: v.number(), vault: Sealed, settings: v.optional(v.unknown()) })
const BackupV2 = v.object({ kind: v.literal(BACKUP_KIND), version: v.literal(2), createdAt: v.number(), vault: Sealed, settings: v.optional(SeedSealedSchema) })
const BackupFile = v.variant('version', [BackupV1, BackupV2])

export interface Backup {
  kind: typeof BACKUP_KIND
  version: 2
  createdAt: number
  vault: SealedVault
  /** JSON of the settings, sealed under the seed (see vault-crypto sealWithSeed) */
  settings?: SeedSealed
}

export interface OpenedBackup {
  secret: VaultSecret
  /** As found in the file; the caller validates before using them. */
  settings?: unknown
}

/** Needs the open wallet's seed: that is what the settings are sealed under. */
export async function exportBackup (db: AppDB, seedHex: string): Promise<Backup> {
  const rec = await db.get('vault', 'main')
  if (rec === undefined) throw new Error('There is no wallet to back up.')
  return await buildBackup(rec.sealed, await db.get('settings', 'settings'), seedHex)
}

export async function buildBackup (vault: SealedVault, settings: Settings | undefined, seedHex: string, now = Date.now()): Promise<Backup> {
  return {
    kind: BACKUP_KIND,
    version: 2,
    createdAt: now,
    vault,
    ...(settings !== undefined ? { settings: await sealWithSeed(new TextEncoder().encode(JSON.stringify(settings)), seedHex, SETTINGS_INFO) } : {})
  }
}

/** Reads a backup file and opens it with its passphrase; throws a readable error otherwise. */
export async function openBackup (text: string, passphrase: string): Promise<OpenedBackup> {
  if (text.length > 100_000) throw new Error('That file is too large to be a Handover backup.')
  let json: unknown
  try { json = JSON.parse(text) } catch { throw new Error('That file is not a Handover backup (it is not JSON).') }
  const parsed = v.safeParse(BackupFile, json)
  if (!parsed.success) throw new Error('That file is not a Handover backup, or it is damaged.')
  const file = parsed.output
  const secret = await openSecret(file.vault as SealedVault, passphrase)
  if (file.version === 1) return { secret, ...(file.settings !== undefined ? { settings: file.settings } : {}) }
  if (file.settings === undefined) return { secret }
  const plain = await openWithSeed(file.settings as SeedSealed, secret.seedHex, SETTINGS_INFO)
  try {
    return { secret, settings: JSON.parse(new TextDecoder().decode(plain)) as unknown }
  } catch {
    return { secret }
  }
}

export async function readBackup (text: string, passphrase: string): Promise<VaultSecret> {
  return (await openBackup(text, passphrase)).secret
}

/**
 * Settings carried in a backup, if they are complete and pass the same checks as the
 * Settings screen; otherwise undefined (a restore never fails over settings).
 */
export function settingsFromBackup (x: unknown): Settings | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return undefined
  const merged = { ...structuredClone(DEFAULT_SETTINGS), ...(x as Partial<Settings>) }
  try {
    if (!(NETWORKS as readonly string[]).includes(merged.network)) return undefined
    if (typeof merged.endpoints !== 'object' || merged.endpoints === null || !Array.isArray(merged.iceServers)) return undefined
    for (const n of NETWORKS) {
      const e = merged.endpoints[n]
      if (typeof e?.arc !== 'string' || typeof e.chain !== 'string') return undefined
    }
    if (typeof merged.signalUrl !== 'string' || typeof merged.showFiat !== 'boolean') return undefined
    validateSettings(merged)
    return merged
  } catch {
    return undefined
  }
}

export function backupFileName (now = new Date()): string {
  return `handover-backup-${now.toISOString().slice(0, 10)}.json`
}
