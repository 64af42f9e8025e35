// Makes the wallet's seed vault from recovery words: BIP39 (wordlist, PBKDF2-SHA512 seed)
// through @bsv/sdk. Kept apart from vault.ts so the lock screen, which only opens a vault
// with WebCrypto, loads none of it (issue 12.2).
import { Utils } from '@bsv/sdk'
import { checkMnemonic, mnemonicFromEntropy, seedFromMnemonic, type WordCount } from '../core/keys.ts'
import type { AppDB } from '../store/db.ts'
import { checkPassphraseStrength, sealSecret, type VaultSecret } from '../store/vault-crypto.ts'

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
