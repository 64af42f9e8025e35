import { describe, expect, it } from 'vitest'
import { readBackup, BACKUP_KIND } from '../../src/app/backup.ts'
import { sealSecret } from '../../src/store/vault-crypto.ts'

const secret = { mnemonic: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about', bip39Passphrase: '', seedHex: '00'.repeat(64) }

describe('backup files', () => {
  it('open with the passphrase and hold nothing readable without it', async () => {
    const file = JSON.stringify({ kind: BACKUP_KIND, version: 1, createdAt: 1, vault: await sealSecret(secret, 'backup pass', 100_000) })
    expect(file).not.toContain('abandon')
    expect(await readBackup(file, 'backup pass')).toEqual(secret)
    await expect(readBackup(file, 'wrong pass')).rejects.toThrow(/not right/)
  })
  it('refuse other files with a reason', async () => {
    await expect(readBackup('hello', 'x')).rejects.toThrow(/not JSON/)
    await expect(readBackup('{"kind":"other"}', 'x')).rejects.toThrow(/not a Handover backup/)
    const weak = { kind: BACKUP_KIND, version: 1, createdAt: 1, vault: await sealSecret(secret, 'p', 1000) }
    await expect(readBackup(JSON.stringify(weak), 'p')).rejects.toThrow(/not a Handover backup/)
  })
})
