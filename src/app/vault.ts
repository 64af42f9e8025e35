// Create, restore, unlock, lock and re-key the wallet's seed vault.
import { Utils } from '@bsv/sdk'
import { checkMnemonic, mnemonicFromEntropy, seedFromMnemonic, type WordCount } from '../core/keys.ts'
import type { AppDB } from '../store/db.ts'
import { checkPassphraseStrength, openSecret, sealSecret, type VaultSecret } from '../store/vault-crypto.ts'

export async function hasVault (db: AppDB): Promise<boolean> {
  return (await db.get('vault', 'main')) !== undefined
}

export function newMnemonic (words: WordCount = 12): string {
  return mnemonicFromEntropy(crypto.getRandomValues(new Uint8Array(words === 12 ? 16 : 32)))
}

/** Seals and stores a phrase. Refuses to overwrite an existing vault: that would lose money. */
export async function createVault (db: AppDB, mnemonic: string, passphrase: string, bip39Passphrase = '', iterations?: number): Promise<VaultSecret> {
  checkPassphraseStrength(passphrase)
  const m = checkMnemonic(mnemonic)
  const secret: VaultSecret = { mnemonic: m, bip39Passphrase, seedHex: Utils.toHex(seedFromMnemonic(m, bip39Passphrase)) }
  const sealed = await sealSecret(secret, passphrase, iterations)
  const tx = db.transaction('vault', 'readwrite')
  if (await tx.store.get('main') !== undefined) throw new Error('A wallet already exists on this device. Remove it first (after checking its backup).')
  await tx.store.put({ id: 'main', sealed, createdAt: Date.now() })
  await tx.done
  return secret
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

