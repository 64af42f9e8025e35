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
/**
 * What a stored or imported vault may ask for. Below the floor a vault planted or
 * altered by someone else (one iteration) would make a guessed passphrase cheap to
 * test and teach the attacker nothing we'd notice; above the ceiling opening it
 * freezes the phone.
 */
export const MIN_PBKDF2_ITERATIONS = 100_000
export const MAX_PBKDF2_ITERATIONS = 10_000_000
export const MIN_PASSPHRASE_LENGTH = 8

export class VaultDamaged extends Error {
  constructor (detail: string) { super(`This vault is damaged or was not written by Handover (${detail}). Nothing was changed.`) }
}

/** Refuses key-derivation and cipher parameters Handover never writes. */
export function checkSealedParams (sealed: SealedVault): void {
  if (sealed.v !== 1 || sealed.kdf?.name !== 'PBKDF2' || sealed.kdf.hash !== 'SHA-256' || sealed.cipher?.name !== 'AES-GCM') {
    throw new Error('This vault was written by a newer version of Handover.')
  }
  const n = sealed.kdf.iterations
  if (!Number.isInteger(n) || n < MIN_PBKDF2_ITERATIONS || n > MAX_PBKDF2_ITERATIONS) {
    throw new VaultDamaged(`key derivation asks for ${String(n)} iterations; allowed ${MIN_PBKDF2_ITERATIONS.toLocaleString('en')} to ${MAX_PBKDF2_ITERATIONS.toLocaleString('en')}`)
  }
  let salt: Uint8Array, iv: Uint8Array
  try { salt = unb64(sealed.kdf.salt); iv = unb64(sealed.cipher.iv) } catch { throw new VaultDamaged('unreadable salt or IV') }
  if (salt.length < 16 || salt.length > 64) throw new VaultDamaged(`a ${salt.length}-byte salt`)
  if (iv.length !== 12) throw new VaultDamaged(`a ${iv.length}-byte IV`)
}

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
  if (!Number.isInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new Error(`PBKDF2 iterations must be between ${MIN_PBKDF2_ITERATIONS} and ${MAX_PBKDF2_ITERATIONS}.`)
  }
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await deriveKey(passphrase, salt, iterations)
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource }, key, plaintext as BufferSource))
  return { v: 1, kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: b64(salt) }, cipher: { name: 'AES-GCM', iv: b64(iv) }, ciphertext: b64(ct) }
}

/** Throws WrongPassphrase when the tag does not verify: GCM authenticates, so a wrong key never yields garbage. */
export async function open (sealed: SealedVault, passphrase: string): Promise<Uint8Array> {
  checkSealedParams(sealed)
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

// ---- secrets sealed under the seed ----
// For what travels with the vault but isn't the vault (settings in a backup file):
// AES-GCM under HKDF-SHA256(seed, info). Whoever can open the vault can open these;
// nobody else can, and no second passphrase prompt or PBKDF2 run is needed.

export interface SeedSealed {
  cipher: { name: 'AES-GCM', iv: string }
  ciphertext: string
}

async function seedKey (seedHex: string, info: string): Promise<CryptoKey> {
  if (!/^[0-9a-f]{128}$/i.test(seedHex)) throw new Error('seed must be 64 bytes of hex')
  const raw = Uint8Array.from(seedHex.match(/../g)!, h => parseInt(h, 16))
  const base = await crypto.subtle.importKey('raw', raw as BufferSource, 'HKDF', false, ['deriveKey'])
  return await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32) as BufferSource, info: new TextEncoder().encode(info) as BufferSource },
    base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
}

export async function sealWithSeed (plaintext: Uint8Array, seedHex: string, info: string): Promise<SeedSealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await seedKey(seedHex, info)
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource }, key, plaintext as BufferSource))
  return { cipher: { name: 'AES-GCM', iv: b64(iv) }, ciphertext: b64(ct) }
}

export async function openWithSeed (sealed: SeedSealed, seedHex: string, info: string): Promise<Uint8Array> {
  const key = await seedKey(seedHex, info)
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(sealed.cipher.iv) as BufferSource }, key, unb64(sealed.ciphertext) as BufferSource))
  } catch {
    throw new Error('Part of this backup is damaged: it does not belong to the wallet in it.')
  }
}
