// Coin selection for P2PKH spends. Sizes follow the SDK's SatoshisPerKilobyte estimate
// so the fee chosen here is the fee the built transaction pays.

export interface SelectableCoin {
  txid: string
  vout: number
  satoshis: number
}

export interface Selection<C extends SelectableCoin> {
  inputs: C[]
  fee: number
  /** 0 when the remainder is too small to be worth an output and goes to the miner. */
  change: number
}

export class InsufficientFunds extends Error {
  constructor (readonly needed: number, readonly available: number) {
    super(`Not enough money: this needs ${needed} sats including the network fee, and the wallet can spend ${available} sats.`)
  }
}

/** P2PKH input: outpoint 36 + script varint 1 + unlocking script 107 + sequence 4. */
export const P2PKH_INPUT_BYTES = 148
/** P2PKH output: value 8 + script varint 1 + script 25. */
export const P2PKH_OUTPUT_BYTES = 34

function varIntSize (n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9
}

export function txBytes (inputs: number, outputScriptLengths: number[]): number {
  let size = 4 + varIntSize(inputs) + inputs * P2PKH_INPUT_BYTES + varIntSize(outputScriptLengths.length) + 4
  for (const len of outputScriptLengths) size += 8 + varIntSize(len) + len
  return size
}

/** Fee for `bytes` at `satsPerKb`, as miners and the SDK's SatoshisPerKilobyte round it (up). */
export function feeFor (bytes: number, satsPerKb: number): number {
  // Multiply first, and let an epsilon absorb float noise, so a fractional rate never asks
  // for one satoshi more than the SDK charged.
  return Math.max(0, Math.ceil((bytes * satsPerKb) / 1000 - 1e-9))
}

/**
 * Picks coins to pay `outputs` at `satsPerKb`. Prefers the smallest single coin
 * that covers everything (fewest inputs, least fee, no needless splitting), then
 * largest-first accumulation. O(n log n) on the coin count.
 */
export function selectCoins<C extends SelectableCoin> (coins: readonly C[], outputScriptLengths: number[], target: number, satsPerKb: number): Selection<C> {
  if (!Number.isSafeInteger(target) || target <= 0) throw new Error('The amount must be a positive whole number of satoshis.')
  if (!(satsPerKb >= 0)) throw new Error('fee rate must be a non-negative number')
  const withChange = [...outputScriptLengths, 25]
  // A change output smaller than what it costs to spend later is worth nothing to the owner.
  const minChange = Math.max(1, feeFor(P2PKH_INPUT_BYTES, satsPerKb))
  const available = coins.reduce((s, c) => s + c.satoshis, 0)

  const settle = (inputs: C[], total: number): Selection<C> | undefined => {
    const feeWithChange = feeFor(txBytes(inputs.length, withChange), satsPerKb)
    const change = total - target - feeWithChange
    if (change >= minChange) return { inputs, fee: feeWithChange, change }
    const feeNoChange = feeFor(txBytes(inputs.length, outputScriptLengths), satsPerKb)
    if (total - target >= feeNoChange) return { inputs, fee: total - target, change: 0 }
    return undefined
  }

  // Smallest single coin that covers the payment.
  let best: C | undefined
  const oneInputNeed = target + feeFor(txBytes(1, outputScriptLengths), satsPerKb)
  for (const c of coins) {
    if (c.satoshis >= oneInputNeed && (best === undefined || c.satoshis < best.satoshis)) best = c
  }
  if (best !== undefined) {
    const s = settle([best], best.satoshis)
    if (s !== undefined) return s
  }

  const sorted = [...coins].sort((a, b) => b.satoshis - a.satoshis)
  const inputs: C[] = []
  let total = 0
  for (const c of sorted) {
    inputs.push(c)
    total += c.satoshis
    const s = settle(inputs, total)
    if (s !== undefined) return s
  }
  const needed = target + feeFor(txBytes(Math.max(1, inputs.length), outputScriptLengths), satsPerKb)
  throw new InsufficientFunds(needed, available)
}
