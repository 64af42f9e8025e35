import { describe, expect, it } from 'vitest'
import { buildBackup, openBackup, readBackup, settingsFromBackup, BACKUP_KIND } from '../../src/app/backup.ts'
import { DEFAULT_SETTINGS } from '../../src/app/settings.ts'
import type { Settings } from '../../src/store/records.ts'
import { sealSecret } from '../../src/store/vault-crypto.ts'

const secret = { mnemonic: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about', bip39Passphrase: '', seedHex: '00'.repeat(64) }
const other = { ...secret, seedHex: '11'.repeat(64) }
const settings: Settings = {
  ...structuredClone(DEFAULT_SETTINGS),
  network: 'mainnet',
  endpoints: { ...structuredClone(DEFAULT_SETTINGS.endpoints), mainnet: { arc: 'https://arc.example', arcKey: 'ARC-SECRET-KEY-123', chain: 'https://woc.example', chainKey: 'WOC-SECRET-456' } },
  iceServers: [{ urls: 'turn:turn.example:3478', username: 'turnuser', credential: 'TURN-PASSWORD-789' }]
}

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
    const vault = await sealSecret(secret, 'backup pass', 100_000)
    const weak = { kind: BACKUP_KIND, version: 1, createdAt: 1, vault: { ...vault, kdf: { ...vault.kdf, iterations: 1000 } } }
    await expect(readBackup(JSON.stringify(weak), 'backup pass')).rejects.toThrow(/not a Handover backup/)
  })

  it('seal the settings (API keys, TURN credentials) with the wallet, and restore them', async () => {
    const file = JSON.stringify(await buildBackup(await sealSecret(secret, 'backup pass', 100_000), settings, secret.seedHex))
    for (const plain of ['ARC-SECRET-KEY-123', 'WOC-SECRET-456', 'TURN-PASSWORD-789', 'turnuser', 'arc.example', 'abandon']) expect(file).not.toContain(plain)
    const opened = await openBackup(file, 'backup pass')
    expect(opened.secret).toEqual(secret)
    expect(settingsFromBackup(opened.settings)).toEqual(settings)
    await expect(openBackup(file, 'wrong pass')).rejects.toThrow(/not right/)
  })

  it('refuse settings sealed for another wallet or altered', async () => {
    const vault = await sealSecret(secret, 'backup pass', 100_000)
    const foreign = await buildBackup(vault, settings, other.seedHex) // settings of another wallet pasted in
    await expect(openBackup(JSON.stringify(foreign), 'backup pass')).rejects.toThrow(/damaged/)
    const b = await buildBackup(vault, settings, secret.seedHex)
    const ct = Uint8Array.from(atob(b.settings!.ciphertext), c => c.charCodeAt(0)); ct[3] = ct[3]! ^ 1
    const altered = { ...b, settings: { ...b.settings!, ciphertext: btoa(String.fromCharCode(...ct)) } }
    await expect(openBackup(JSON.stringify(altered), 'backup pass')).rejects.toThrow(/damaged/)
  })

  it('still restore version 1 files, whose settings were in the clear', async () => {
    const file = JSON.stringify({ kind: BACKUP_KIND, version: 1, createdAt: 1, vault: await sealSecret(secret, 'backup pass', 100_000), settings })
    const opened = await openBackup(file, 'backup pass')
    expect(opened.secret).toEqual(secret)
    expect(settingsFromBackup(opened.settings)).toEqual(settings)
  })

  it('ignore settings that would not pass the Settings screen', () => {
    expect(settingsFromBackup({ ...settings, signalUrl: 'ws://evil.example/signal' })).toBeUndefined()
    expect(settingsFromBackup({ ...settings, network: 'regtest' })).toBeUndefined()
    expect(settingsFromBackup({ ...settings, endpoints: 5 })).toBeUndefined()
    expect(settingsFromBackup('nope')).toBeUndefined()
  })
})
