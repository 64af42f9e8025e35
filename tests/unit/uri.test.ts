import { describe, expect, it } from 'vitest'
import { PrivateKey } from '@bsv/sdk'
import { parsePaymentTarget, paymentUri } from '../../src/core/uri.ts'
import { formatBsv, parseBsv, parseSats } from '../../src/core/amount.ts'

const key = PrivateKey.fromHex('11'.repeat(32))
const testAddr = key.toAddress([0x6f])
const mainAddr = key.toAddress([0x00])

describe('payment targets', () => {
  it('reads a bare address and a BIP21 URI with the sv flag, amount and message', () => {
    expect(parsePaymentTarget(testAddr, 'devnet').lockingScript).toMatch(/^76a914[0-9a-f]{40}88ac$/)
    const t = parsePaymentTarget(`bitcoin:${testAddr}?sv&amount=0.0015&message=coffee`, 'devnet')
    expect(t).toMatchObject({ address: testAddr, satoshis: 150_000, message: 'coffee' })
  })
  it('round-trips what we show', () => {
    expect(parsePaymentTarget(paymentUri(testAddr, 123_456_789, 'Ann'), 'testnet')).toMatchObject({ satoshis: 123_456_789, label: 'Ann' })
  })
  it('refuses a mainnet address on devnet, a bad checksum, bad amounts and required extensions', () => {
    expect(() => parsePaymentTarget(mainAddr, 'devnet')).toThrow(/for mainnet, but this wallet is on devnet/)
    expect(() => parsePaymentTarget(testAddr.slice(0, -1) + (testAddr.endsWith('a') ? 'b' : 'a'), 'devnet')).toThrow(/mistake in it/)
    expect(() => parsePaymentTarget(`bitcoin:${testAddr}?amount=1e3`, 'devnet')).toThrow(/amount/)
    expect(() => parsePaymentTarget(`bitcoin:${testAddr}?req-paymail=x`, 'devnet')).toThrow(/req-paymail/)
    expect(() => parsePaymentTarget('', 'devnet')).toThrow(/Nothing to pay/)
  })
})

describe('amounts', () => {
  it('parses BSV decimals exactly', () => {
    expect(parseBsv('0.1')).toBe(10_000_000)
    expect(parseBsv('0.00000001')).toBe(1)
    expect(parseBsv('20999999.99999999')).toBe(2_099_999_999_999_999)
    expect(() => parseBsv('0.000000001')).toThrow()
    expect(() => parseBsv('-1')).toThrow()
    expect(formatBsv(150_000)).toBe('0.0015')
    expect(formatBsv(100_000_000)).toBe('1')
    expect(parseSats('1,000')).toBe(1000)
    expect(() => parseSats('1.5')).toThrow(/whole number/)
  })
})
