import { describe, expect, it } from 'vitest'
import { openSecret, sealSecret, WrongPassphrase, PBKDF2_ITERATIONS, type SealedVault, type VaultSecret } from '../../src/store/vault-crypto.ts'

const secret: VaultSecret = { mnemonic: 'abandon '.repeat(11) + 'about', bip39Passphrase: '', seedHex: 'ab'.repeat(64) }

describe('vault encryption', () => {
  it('round-trips the secret with the production iteration count and stores no plaintext', async () => {
    const sealed = await sealSecret(secret, 'correct horse battery')
    expect(sealed.kdf.iterations).toBeGreaterThanOrEqual(600_000)
    expect(sealed.kdf.iterations).toBe(PBKDF2_ITERATIONS)
    expect(JSON.stringify(sealed)).not.toContain('abandon')
    expect(await openSecret(sealed, 'correct horse battery')).toEqual(secret)
  })

  it('a wrong passphrase is a clear error and leaves the sealed vault usable', async () => {
    const sealed = await sealSecret(secret, 'correct horse battery', 100_000)
    const before = JSON.stringify(sealed)
    await expect(openSecret(sealed, 'wrong horse battery')).rejects.toBeInstanceOf(WrongPassphrase)
    await expect(openSecret(sealed, 'wrong horse battery')).rejects.toThrow(/not right/)
    expect(JSON.stringify(sealed)).toBe(before)
    expect(await openSecret(sealed, 'correct horse battery')).toEqual(secret)
  })

  it('uses a fresh salt and IV each time', async () => {
    const a = await sealSecret(secret, 'pass phrase 1', 100_000)
    const b = await sealSecret(secret, 'pass phrase 1', 100_000)
    expect(a.kdf.salt).not.toBe(b.kdf.salt)
    expect(a.cipher.iv).not.toBe(b.cipher.iv)
    expect(a.ciphertext).not.toBe(b.ciphertext)
  })

  it('detects tampering', async () => {
    const sealed = await sealSecret(secret, 'pass phrase 1', 100_000)
    const bytes = Uint8Array.from(atob(sealed.ciphertext), c => c.charCodeAt(0))
    bytes[0] = bytes[0]! ^ 1
    await expect(openSecret({ ...sealed, ciphertext: btoa(String.fromCharCode(...bytes)) }, 'pass phrase 1')).rejects.toBeInstanceOf(WrongPassphrase)
  })

  it('refuses a stored vault whose key derivation was weakened or inflated, before deriving anything', async () => {
    // Someone with access to the storage replaces the vault with one sealed under 1
    // iteration (so a guessed passphrase is cheap to test), or asks for a billion.
    const salt = crypto.getRandomValues(new Uint8Array(16)); const iv = crypto.getRandomValues(new Uint8Array(12))
    const base = await crypto.subtle.importKey('raw', new TextEncoder().encode('pass phrase 1'), 'PBKDF2', false, ['deriveKey'])
    const key = await crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 1 }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt'])
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(JSON.stringify(secret))))
    const b64 = (b: Uint8Array): string => btoa(String.fromCharCode(...b))
    const planted: SealedVault = { v: 1, kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 1, salt: b64(salt) }, cipher: { name: 'AES-GCM', iv: b64(iv) }, ciphertext: b64(ct) }
    await expect(openSecret(planted, 'pass phrase 1')).rejects.toThrow(/1 iterations; allowed 100,000 to 10,000,000/)
    const t0 = performance.now()
    await expect(openSecret({ ...planted, kdf: { ...planted.kdf, iterations: 1_000_000_000 } }, 'pass phrase 1')).rejects.toThrow(/damaged or was not written by Handover/)
    expect(performance.now() - t0).toBeLessThan(200)
    await expect(openSecret({ ...planted, kdf: { ...planted.kdf, iterations: 100_000, salt: b64(new Uint8Array(4)) } }, 'pass phrase 1')).rejects.toThrow(/4-byte salt/)
    await expect(sealSecret(secret, 'pass phrase 1', 1)).rejects.toThrow(/between 100000/)
  })
})
