// What the wallet keeps on the device. Plain data (structured-clone safe); amounts are integer satoshis.
import type { Network } from '../core/network.ts'
import type { SealedVault } from './vault-crypto.ts'

export type CoinStatus =
  | 'unspent'
  /** Signed into a transaction we made but not yet known to the network. */
  | 'pending'
  | 'spent'
  /** The network says another transaction spent it (double spend); kept for the record. */
  | 'conflict'
  /** Handed to us face to face and verified, not yet accepted by a miner: shown, not spendable. */
  | 'incoming'

export interface CoinRecord {
  /** `${txid}:${vout}` */
  id: string
  txid: string
  vout: number
  satoshis: number
  lockingScript: string
  keyPath: string
  status: CoinStatus
  /** Transaction that spends it, once we sign one. */
  spentBy?: string
  /** Block height of the creating tx, when mined. */
  height?: number
  createdAt: number
}

/** A transaction we hold, with its ancestry as BEEF (hex) so we can hand it over offline. */
export interface TxRecord {
  txid: string
  beef: string
  /** True once a merkle path to a known header is in the BEEF. */
  proven: boolean
  height?: number
}

export type LedgerStatus =
  /** Signed and stored; nobody else has it yet. */
  | 'signed'
  /** Handed to a peer or queued for the miner. */
  | 'handed-over'
  | 'broadcasting'
  | 'seen'
  | 'mined'
  /** Will never be mined (a miner's final refusal); its coins came back, or were taken by a double spend. */
  | 'failed'
  /**
   * The payee refused it, but holds the signed transaction and may still broadcast it:
   * its coins stay reserved and it is watched until it is mined (paid) or provably dead.
   */
  | 'refused'
  /** A refused payment made provably dead by "Cancel for sure": our own spend of its coins was accepted. */
  | 'cancelled'

export interface LedgerRecord {
  txid: string
  direction: 'in' | 'out' | 'self'
  /** Net effect on the wallet (positive in, negative out). */
  amount: number
  fee: number
  /** Address or identity the payment went to / came from, for display. */
  counterparty?: string
  memo?: string
  status: LedgerStatus
  /** What went wrong or what we are waiting for, in plain words. */
  error?: string
  /** ARC's last txStatus for it (e.g. DOUBLE_SPEND_ATTEMPTED), its extraInfo and competing txids, as ARC said them. */
  arcStatus?: string
  extraInfo?: string
  competingTxs?: string[]
  /** For a "Cancel for sure" transaction: the refused payment whose coins it takes back. */
  cancels?: string
  /** For a refused payment: the transaction that cancels it. */
  cancelledBy?: string
  height?: number
  createdAt: number
  updatedAt: number
}

export interface OutboxRecord {
  txid: string
  attempts: number
  nextAttemptAt: number
  lastError?: string
}

export interface HeaderRecord {
  height: number
  hash: string
  merkleRoot: string
  /** Block timestamp, Unix seconds (display only). */
  time?: number
}

export interface AddressRecord {
  keyPath: string
  chain: string
  index: number
  address: string
  lockingScript: string
  /** Has ever received coins. */
  used: boolean
}

export interface SessionRecord {
  paymentId: string
  role: 'payer' | 'payee'
  /** The protocol machine's state (PayerState / PayeeState), JSON. */
  state: unknown
  /** Identity key the link proved, hex. */
  peerKey?: string
  /**
   * Payee, paid by codes only (no link): the payer can only learn our answer by filming it,
   * so a reopened app shows the stored ack again while the payer may still be waiting.
   * Cleared once the person closes that screen.
   */
  byCamera?: true
  updatedAt: number
}

export interface MetaRecord {
  key: string
  value: unknown
}

export interface Settings {
  network: Network
  /** Per network: ARC and chain-data base URLs and optional API keys. */
  endpoints: Record<Network, { arc: string, arcKey?: string, chain: string, chainKey?: string, /** Chain-data requests per second; default by key (see chain/pacer.ts). */ chainRps?: number }>
  /** Satoshis per kB; undefined means ask the ARC endpoint's /v1/policy. */
  feeRate?: number
  lockAfterMinutes: number
  /** WebSocket URL of the signalling service for one-scan invites and the relay; '' for QR-only pairing. */
  signalUrl: string
  /** STUN/TURN servers for direct connections; empty works on one Wi-Fi or hotspot. */
  iceServers: Array<{ urls: string, username?: string, credential?: string }>
  /** Show balances in US dollars too, using the chain data service's rate when online. */
  showFiat: boolean
}

/** Someone we paid or were paid by, known by the identity key their phone proved. */
export interface ContactRecord {
  identityKey: string
  /** The name the user gave; undefined until they name them. */
  name?: string
  firstSeen: number
  lastSeen: number
}

export interface VaultRecord {
  id: 'main'
  sealed: SealedVault
  createdAt: number
}
