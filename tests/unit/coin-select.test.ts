import { describe, expect, it } from 'vitest'
import { feeFor, InsufficientFunds, selectCoins, txBytes } from '../../src/core/coin-select.ts'

const coin = (satoshis: number, i = 0) => ({ txid: i.toString(16).padStart(64, '0'), vout: 0, satoshis })
const P2PKH = [25]

describe('coin selection', () => {
  it('pays from the smallest single coin that covers amount and fee', () => {
    const s = selectCoins([coin(100_000, 1), coin(20_000, 2), coin(5_000, 3)], P2PKH, 10_000, 50)
    expect(s.inputs.map(c => c.satoshis)).toEqual([20_000])
    expect(s.fee).toBe(feeFor(txBytes(1, [25, 25]), 50))
    expect(s.inputs[0]!.satoshis).toBe(10_000 + s.fee + s.change)
  })

  it('combines coins largest first when no single coin is enough', () => {
    const s = selectCoins([coin(3_000, 1), coin(4_000, 2), coin(5_000, 3)], P2PKH, 8_500, 50)
    expect(s.inputs.map(c => c.satoshis)).toEqual([5_000, 4_000])
    expect(s.change).toBe(9_000 - 8_500 - s.fee)
  })

  it('spends an exact amount with no change output, surplus below a worthwhile change goes to fee', () => {
    const feeNoChange = feeFor(txBytes(1, P2PKH), 50)
    const s = selectCoins([coin(10_000 + feeNoChange + 3)], P2PKH, 10_000, 50)
    expect(s.change).toBe(0)
    expect(s.fee).toBe(feeNoChange + 3)
  })

  it('says how much is needed and available when funds are short', () => {
    try {
      selectCoins([coin(1_000), coin(2_000, 1)], P2PKH, 3_000, 50)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(InsufficientFunds)
      expect((e as InsufficientFunds).available).toBe(3_000)
      expect((e as Error).message).toMatch(/Not enough money: this needs \d+ sats/)
    }
    expect(() => selectCoins([], P2PKH, 1, 50)).toThrow(InsufficientFunds)
  })

  it('refuses zero, negative and fractional amounts', () => {
    expect(() => selectCoins([coin(5_000)], P2PKH, 0, 50)).toThrow(/positive whole number/)
    expect(() => selectCoins([coin(5_000)], P2PKH, 1.5, 50)).toThrow(/positive whole number/)
  })

  it('can pay a 1-satoshi (dust-sized) output at a zero fee rate', () => {
    const s = selectCoins([coin(1)], P2PKH, 1, 0)
    expect(s).toMatchObject({ fee: 0, change: 0 })
  })
})
