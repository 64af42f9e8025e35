// Amounts as people write them (issue 13): "1,5" must never silently become 15 sats.
import { describe, expect, it } from 'vitest'
import { AmountError, decimalSeparatorOf, parseAmount } from '../../src/core/amount.ts'

describe('parseAmount', () => {
  it('reads BSV with either decimal separator when it cannot be grouping', () => {
    expect(parseAmount('1,5', 'bsv', '.')).toBe(150_000_000)
    expect(parseAmount('1,5', 'bsv', ',')).toBe(150_000_000)
    expect(parseAmount('1.5', 'bsv', '.')).toBe(150_000_000)
    expect(parseAmount('0,00025', 'bsv', ',')).toBe(25_000)
    expect(parseAmount('.5', 'bsv', '.')).toBe(50_000_000)
    expect(parseAmount('0.00000001', 'bsv')).toBe(1)
  })

  it('reads grouping by the locale: 1,000 BSV in English, 1.000 BSV (one) in German', () => {
    expect(parseAmount('1,000', 'bsv', '.')).toBe(1000 * 100_000_000)
    expect(parseAmount('1,000.5', 'bsv', '.')).toBe(100_050_000_000)
    expect(parseAmount('1.000,5', 'bsv', ',')).toBe(100_050_000_000)
    expect(parseAmount('1,000', 'bsv', ',')).toBe(100_000_000)
  })

  it('reads sats with grouping, and refuses "1,5" sats instead of reading 15', () => {
    expect(parseAmount('25000', 'sats')).toBe(25_000)
    expect(parseAmount('25,000', 'sats', '.')).toBe(25_000)
    expect(parseAmount('25.000', 'sats', ',')).toBe(25_000)
    expect(parseAmount('25 000', 'sats')).toBe(25_000)
    expect(parseAmount('1', 'sats')).toBe(1)
    expect(() => parseAmount('1,5', 'sats', '.')).toThrow(/whole numbers.*switch the unit to BSV/)
    expect(() => parseAmount('1,5', 'sats', ',')).toThrow(/whole numbers/)
    expect(() => parseAmount('1.5', 'sats', '.')).toThrow(/whole numbers/)
    expect(parseAmount('100.0', 'sats', '.')).toBe(100)
  })

  it('answers bad input in plain words, without echoing it back', () => {
    const cases: Array<[string, 'sats' | 'bsv', RegExp]> = [
      ['', 'sats', /Enter an amount/],
      ['-5', 'sats', /above zero/],
      ['abc', 'sats', /digits/],
      ['0', 'sats', /at least 1 sat/],
      ['1.2.3', 'bsv', /more than one decimal point/],
      ['0.000000001', 'bsv', /at most 8 decimal places/],
      ['21000001', 'bsv', /more than all the bitcoin/],
      ['2100000000000010', 'sats', /more than all the bitcoin/],
      ['1,00,0', 'sats', /not written in a way/]
    ]
    for (const [text, unit, why] of cases) {
      let err: unknown
      try { parseAmount(text, unit, '.') } catch (e) { err = e }
      expect(err, text).toBeInstanceOf(AmountError)
      expect((err as Error).message, text).toMatch(why)
      if (text !== '') expect((err as Error).message).not.toContain(`"${text}"`)
    }
  })

  it('knows the decimal separator of common locales', () => {
    expect(decimalSeparatorOf('en-US')).toBe('.')
    expect(decimalSeparatorOf('de-DE')).toBe(',')
    expect(decimalSeparatorOf('not a locale!')).toBe('.')
  })
})
