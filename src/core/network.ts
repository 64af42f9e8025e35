/** The chains Handover can use. Devnet is the local simulator and uses testnet address encoding. */
export type Network = 'mainnet' | 'testnet' | 'devnet'

export const NETWORKS: readonly Network[] = ['mainnet', 'testnet', 'devnet']

/** Base58Check version byte of P2PKH addresses (0x00 mainnet, 0x6f test chains). */
export function addressPrefix (network: Network): number {
  return network === 'mainnet' ? 0x00 : 0x6f
}

export function isNetwork (value: unknown): value is Network {
  return typeof value === 'string' && (NETWORKS as readonly string[]).includes(value)
}
