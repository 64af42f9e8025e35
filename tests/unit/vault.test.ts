import { describe, expect, it } from 'vitest'
import { openSecret, sealSecret, WrongPassphrase, PBKDF2_ITERATIONS, type VaultSecret } from '../../src/store/vault-crypto.ts'

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
    const sealed = await sealSecret(secret, 'correct horse battery', 1000)
    const before = JSON.stringify(sealed)
    await expect(openSecret(sealed, 'wrong horse battery')).rejects.toBeInstanceOf(WrongPassphrase)
    await expect(openSecret(sealed, 'wrong horse battery')).rejects.toThrow(/not right/)
    expect(JSON.stringify(sealed)).toBe(before)
    expect(await openSecret(sealed, 'correct horse battery')).toEqual(secret)
  })

  it('uses a fresh salt and IV each time', async () => {
    const a = await sealSecret(secret, 'pass phrase 1', 1000)
    const b = await sealSecret(secret, 'pass phrase 1', 1000)
    expect(a.kdf.salt).not.toBe(b.kdf.salt)
    expect(a.cipher.iv).not.toBe(b.cipher.iv)
    expect(a.ciphertext).not.toBe(b.ciphertext)
  })

  it('detects tampering', async () => {
    const sealed = await sealSecret(secret, 'pass phrase 1', 1000)
    const bytes = Uint8Array.from(atob(sealed.ciphertext), c => c.charCodeAt(0))
    bytes[0] = bytes[0]! ^ 1
    await expect(openSecret({ ...sealed, ciphertext: btoa(String.fromCharCode(...bytes)) }, 'pass phrase 1')).rejects.toBeInstanceOf(WrongPassphrase)
  })
})
