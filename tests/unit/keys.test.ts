import { describe, expect, it } from 'vitest'
import { HD, Utils } from '@bsv/sdk'
import { addressOf, checkMnemonic, Keyring, MnemonicError, mnemonicFromEntropy, RESTORE_LAYOUTS, seedFromMnemonic } from '../../src/core/keys.ts'

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'

describe('BIP39 (published Trezor vectors)', () => {
  it('entropy 0x00..00 gives the abandon…about phrase and its TREZOR seed', () => {
    expect(mnemonicFromEntropy(new Uint8Array(16))).toBe(ABANDON)
    expect(Utils.toHex(seedFromMnemonic(ABANDON, 'TREZOR'))).toBe(
      'c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04')
  })

  it('24-word vector: entropy 0x7f..7f', () => {
    const m = mnemonicFromEntropy(new Uint8Array(32).fill(0x7f))
    expect(m).toBe('legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title')
    expect(Utils.toHex(seedFromMnemonic(m, 'TREZOR'))).toBe(
      'bc09fca1804f7e69da93c2f2028eb238c227f2e9dda30cd63699232578480a4021b146ad717fbb7e451ce9eb835f43620bf5c514db0f8add49f5d121449d3e87')
  })

  it('accepts sloppy spacing and capitals, rejects wrong words and checksums with a reason', () => {
    expect(checkMnemonic(`  ${ABANDON.toUpperCase().replace(/ /g, '   ')} `)).toBe(ABANDON)
    expect(() => checkMnemonic(ABANDON.replace('about', 'abandon'))).toThrow(/a word is wrong or out of order/)
    expect(() => checkMnemonic(ABANDON.replace('about', 'aboot'))).toThrow(/Word 12 \("aboot"\)/)
    expect(() => checkMnemonic('abandon abandon')).toThrow(MnemonicError)
  })
})

describe('BIP32 (published vector 1) through Keyring', () => {
  const seed = Utils.toArray('000102030405060708090a0b0c0d0e0f', 'hex')
  it('derives m/0H/1/2H/2/1000000000', () => {
    const ring = new Keyring(seed)
    const viaSdk = HD.fromSeed(seed).derive("m/0'/1/2'/2/1000000000")
    expect(viaSdk.toString()).toBe('xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76')
    expect(ring.privateKey("m/0'/1/2'/2/1000000000").toHex()).toBe(viaSdk.privKey.toHex())
    expect(HD.fromSeed(seed).derive("m/0'").toString()).toBe('xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7')
  })
  it('rejects malformed paths', () => {
    const ring = new Keyring(seed)
    expect(() => ring.privateKey('m/x')).toThrow(/invalid derivation path/)
    expect(() => ring.privateKey("m/2147483648'")).toThrow(/invalid derivation index/)
  })
})

describe('BIP44 addresses', () => {
  it('abandon…about at m/44\'/0\'/0\'/0/0 is the well-known first address (restore from other wallets)', () => {
    const ring = new Keyring(seedFromMnemonic(ABANDON))
    const layout = RESTORE_LAYOUTS.find(l => l.receive === "m/44'/0'/0'/0")!
    expect(addressOf(ring.privateKey(`${layout.receive}/0`), 'mainnet')).toBe('1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA')
  })
  it('uses testnet encoding on devnet and testnet', () => {
    const ring = new Keyring(seedFromMnemonic(ABANDON))
    const key = ring.privateKey("m/44'/236'/0'/0/0")
    expect(addressOf(key, 'devnet')).toMatch(/^[mn]/)
    expect(addressOf(key, 'mainnet')).toMatch(/^1/)
  })
})
