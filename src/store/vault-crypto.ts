// Seed encryption at rest: PBKDF2-SHA256 (600,000 iterations, OWASP 2023) -> AES-GCM-256.
// WebCrypto only, so the key never exists outside the browser's crypto implementation
// as raw bytes we could leak. Works in Node 20 too (globalThis.crypto) for tests.

export interface SealedVault {
  v: 1
  kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: number, salt: string }
  cipher: { name: 'AES-GCM', iv: string }
  ciphertext: string
}

export class WrongPassphrase extends Error {
  constructor () { super('That passphrase is not right. Nothing was changed; try again.') }
}

export const PBKDF2_ITERATIONS = 600_000
export const MIN_PASSPHRASE_LENGTH = 8

const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))
const unb64 = (text: string): Uint8Array => Uint8Array.from(atob(text), c => c.charCodeAt(0))

async function deriveKey (passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey'])
  return await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt']
  )
}

export function checkPassphraseStrength (passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new Error(`Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`)
}

export async function seal (plaintext: Uint8Array, passphrase: string, iterations = PBKDF2_ITERATIONS): Promise<SealedVault> {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await deriveKey(passphrase, salt, iterations)
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource }, key, plaintext as BufferSource))
  return { v: 1, kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: b64(salt) }, cipher: { name: 'AES-GCM', iv: b64(iv) }, ciphertext: b64(ct) }
}

/** Throws WrongPassphrase when the tag does not verify: GCM authenticates, so a wrong key never yields garbage. */
export async function open (sealed: SealedVault, passphrase: string): Promise<Uint8Array> {
  if (sealed.v !== 1 || sealed.kdf.name !== 'PBKDF2' || sealed.cipher.name !== 'AES-GCM') throw new Error('This vault was written by a newer version of Handover.')
  const key = await deriveKey(passphrase, unb64(sealed.kdf.salt), sealed.kdf.iterations)
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(sealed.cipher.iv) as BufferSource }, key, unb64(sealed.ciphertext) as BufferSource))
  } catch {
    throw new WrongPassphrase()
  }
}

/** What the vault protects. The seed is kept so unlocking skips BIP39's PBKDF2. */
export interface VaultSecret {
  mnemonic: string
  bip39Passphrase: string
  seedHex: string
}

export async function sealSecret (secret: VaultSecret, passphrase: string, iterations?: number): Promise<SealedVault> {
  return await seal(new TextEncoder().encode(JSON.stringify(secret)), passphrase, iterations)
}

export async function openSecret (sealed: SealedVault, passphrase: string): Promise<VaultSecret> {
  const parsed = JSON.parse(new TextDecoder().decode(await open(sealed, passphrase))) as VaultSecret
  if (typeof parsed.mnemonic !== 'string' || typeof parsed.seedHex !== 'string') throw new Error('The vault is damaged.')
  return parsed
}
