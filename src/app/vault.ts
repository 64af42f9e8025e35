// Open, check and re-key the wallet's seed vault: WebCrypto only, no SDK, so the lock screen
// needs nothing more (issue 12.2). Making a vault from words is in vault-create.ts.
import type { AppDB } from '../store/db.ts'
import { checkPassphraseStrength, openSecret, sealSecret, type VaultSecret } from '../store/vault-crypto.ts'

export async function hasVault (db: AppDB): Promise<boolean> {
  return (await db.get('vault', 'main')) !== undefined
}

export async function unlockVault (db: AppDB, passphrase: string): Promise<VaultSecret> {
  const rec = await db.get('vault', 'main')
  if (rec === undefined) throw new Error('There is no wallet on this device yet.')
  return await openSecret(rec.sealed, passphrase)
}

/** Decrypts with the old passphrase first; the vault is replaced in one write, so a failure changes nothing. */
export async function changePassphrase (db: AppDB, oldPassphrase: string, newPassphrase: string): Promise<void> {
  checkPassphraseStrength(newPassphrase)
  const secret = await unlockVault(db, oldPassphrase)
  const sealed = await sealSecret(secret, newPassphrase)
  const rec = await db.get('vault', 'main')
  await db.put('vault', { ...rec!, sealed })
}
