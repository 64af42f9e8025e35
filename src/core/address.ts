import { P2PKH, Utils } from '@bsv/sdk'
import { addressPrefix, type Network } from './network.ts'

export class AddressError extends Error {}

/** Checks a P2PKH address (checksum and network) and returns its locking script hex. */
export function scriptForAddress (address: string, network: Network): string {
  let decoded: { prefix: number[] | string, data: number[] | string }
  try {
    decoded = Utils.fromBase58Check(address.trim())
  } catch {
    throw new AddressError('That address has a mistake in it (a wrong, missing or extra character). Check it was copied whole.')
  }
  const want = addressPrefix(network)
  const prefix = typeof decoded.prefix === 'string' ? Utils.toArray(decoded.prefix, 'hex') : decoded.prefix
  if (prefix.length !== 1 || prefix[0] !== want) {
    const theirs = prefix[0] === 0 ? 'mainnet' : prefix[0] === 0x6f ? 'testnet' : 'an unsupported type'
    throw new AddressError(`That address is for ${theirs}, but this wallet is on ${network}.`)
  }
  const data = typeof decoded.data === 'string' ? Utils.toArray(decoded.data, 'hex') : decoded.data
  if (data.length !== 20) throw new AddressError('Handover cannot pay this kind of address. Ask for an ordinary bitcoin address (it starts with 1 on mainnet).')
  return new P2PKH().lock(data).toHex()
}
