// BIP39 mnemonics and BIP32/BIP44 derivation through @bsv/sdk. Pure: entropy is handed in.
import { HD, Mnemonic, P2PKH, type PrivateKey, type PublicKey } from '@bsv/sdk'
import { addressPrefix, type Network } from './network.ts'

export type WordCount = 12 | 24

/** BIP44 account for BSV (coin type 236). Receive chain 0, change chain 1. */
export const DEFAULT_ACCOUNT_PATH = "m/44'/236'/0'"

export class MnemonicError extends Error {}

/** Normalises what a person typed: lower case, single spaces, NFKD as BIP39 requires. */
export function normalizeMnemonic (text: string): string {
  return text.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ')
}

export function mnemonicFromEntropy (entropy: Uint8Array): string {
  if (entropy.length !== 16 && entropy.length !== 32) throw new MnemonicError('entropy must be 16 or 32 bytes (12 or 24 words)')
  return Mnemonic.fromEntropy(Array.from(entropy)).toString()
}

/** Throws a MnemonicError that says which word or rule is wrong. */
export function checkMnemonic (text: string): string {
  const m = normalizeMnemonic(text)
  const words = m === '' ? [] : m.split(' ')
  if (![12, 15, 18, 21, 24].includes(words.length)) {
    throw new MnemonicError(`A recovery phrase has 12 or 24 words; this one has ${words.length}.`)
  }
  const list = new Mnemonic().Wordlist.value as string[]
  const unknown = words.findIndex(w => !list.includes(w))
  if (unknown >= 0) throw new MnemonicError(`Word ${unknown + 1} ("${words[unknown]}") is not a BIP39 word. Check its spelling.`)
  if (!Mnemonic.fromString(m).check()) throw new MnemonicError('These are all real recovery words, but not a set that belongs together: a word is wrong or out of order. Check them against your written copy.')
  return m
}

/** BIP39 seed (64 bytes). The passphrase is the optional "25th word", not the vault passphrase. */
export function seedFromMnemonic (mnemonic: string, bip39Passphrase = ''): number[] {
  return Mnemonic.fromString(checkMnemonic(mnemonic)).toSeed(bip39Passphrase.normalize('NFKD'))
}

/**
 * All keys of one seed, addressed by BIP32 path strings. Intermediate nodes are
 * cached because wallets ask for neighbouring keys on the same chain many times.
 */
export class Keyring {
  private readonly nodes = new Map<string, HD>()

  constructor (seed: number[]) {
    this.nodes.set('m', HD.fromSeed(seed))
  }

  private node (path: string): HD {
    const hit = this.nodes.get(path)
    if (hit !== undefined) return hit
    const cut = path.lastIndexOf('/')
    if (cut < 1 || !/^m(\/\d+'?)+$/.test(path)) throw new Error(`invalid derivation path ${path}`)
    const last = path.slice(cut + 1)
    const hardened = last.endsWith("'")
    const index = Number(hardened ? last.slice(0, -1) : last)
    if (!Number.isInteger(index) || index >= 0x80000000) throw new Error(`invalid derivation index in ${path}`)
    const node = this.node(path.slice(0, cut)).deriveChild(hardened ? index + 0x80000000 : index)
    this.nodes.set(path, node)
    return node
  }

  privateKey (path: string): PrivateKey {
    return this.node(path).privKey
  }

  /** The public key the derivation already computed: no second elliptic-curve multiplication. */
  publicKey (path: string): PublicKey {
    return this.node(path).pubKey
  }
}

/** Where one wallet layout keeps its receive and change keys. */
export interface ChainLayout {
  label: string
  receive: string
  change: string
  /** Some wallets used the PIN/passphrase as BIP39 passphrase; shown to the user as a hint. */
  hint?: string
}

export const HANDOVER_LAYOUT: ChainLayout = {
  label: 'Handover (BIP44, BSV coin type 236)',
  receive: `${DEFAULT_ACCOUNT_PATH}/0`,
  change: `${DEFAULT_ACCOUNT_PATH}/1`
}

/**
 * Layouts other BSV wallets used, scanned on restore so a phrase from
 * elsewhere finds its coins. Ours first.
 */
export const RESTORE_LAYOUTS: readonly ChainLayout[] = [
  HANDOVER_LAYOUT,
  { label: "BIP44 coin 0 (ElectrumSV, MoneyButton-era wallets)", receive: "m/44'/0'/0'/0", change: "m/44'/0'/0'/1" },
  { label: "Centbee", receive: "m/44'/0/0", change: "m/44'/0/1", hint: 'Centbee used your PIN as the BIP39 passphrase.' },
  { label: "Yours / RelayX identity path", receive: "m/0'/236'/0'/0", change: "m/0'/236'/0'/1" },
  { label: 'Relysia', receive: 'm/44/0/0', change: 'm/44/0/1' },
  { label: 'Twetch', receive: 'm/0', change: 'm/1' }
]

/** Unused receive addresses in a row after which a restore stops scanning a chain (BIP44). */
export const GAP_LIMIT = 20
/**
 * The same for change chains. Change addresses are taken in order by the wallet itself, so
 * gaps there stay short; 10 is what Electrum-family wallets scan, and it saves a restore a
 * request pair per layout on a rate-limited service.
 */
export const CHANGE_GAP_LIMIT = 10
/**
 * The gap a deep search scans on Handover's own receive chain: older versions gave every
 * payment code, even a cancelled one, a fresh address, so coins may sit far past 20 unused.
 */
export const DEEP_GAP_LIMIT = 200

export function keyPath (chain: string, index: number): string {
  return `${chain}/${index}`
}

export function addressOf (key: PrivateKey | PublicKey, network: Network): string {
  return key.toAddress([addressPrefix(network)])
}

export function lockingScriptOf (key: PrivateKey | PublicKey): string {
  const pub = 'toPublicKey' in key ? key.toPublicKey() : key
  return new P2PKH().lock(pub.toHash() as number[]).toHex()
}
