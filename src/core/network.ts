/** The chains Handover can use. Devnet is the local simulator and uses testnet address encoding. */
export const NETWORKS = ['mainnet', 'testnet', 'devnet'] as const

export type Network = typeof NETWORKS[number]

/** Base58Check version byte of P2PKH addresses (0x00 mainnet, 0x6f test chains). */
export function addressPrefix (network: Network): number {
  return network === 'mainnet' ? 0x00 : 0x6f
}

/** Where a person can look a transaction up; the devnet has no public explorer. */
export function explorerTxUrl (network: Network, txid: string): string | undefined {
  if (network === 'mainnet') return `https://whatsonchain.com/tx/${txid}`
  if (network === 'testnet') return `https://test.whatsonchain.com/tx/${txid}`
  return undefined
}
