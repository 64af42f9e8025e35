// Defaults and access for user settings. Devnet endpoints are relative, so the same
// build works from any origin the server (or a static host next to a devnet) runs on.
import type { Network } from '../core/network.ts'
import type { AppDB } from '../store/db.ts'
import type { Settings } from '../store/records.ts'

export const DEFAULT_SETTINGS: Settings = {
  network: 'devnet',
  endpoints: {
    mainnet: { arc: 'https://arc.gorillapool.io', chain: 'https://api.whatsonchain.com/v1/bsv/main' },
    testnet: { arc: 'https://testnet.arc.gorillapool.io', chain: 'https://api.whatsonchain.com/v1/bsv/test' },
    devnet: { arc: '/devnet/arc', chain: '/devnet/chain' }
  },
  lockAfterMinutes: 5,
  signalUrl: '/signal',
  iceServers: [],
  showFiat: false
}

/**
 * The rate to PAY when no fee is configured and the miner's policy was never learnt (first
 * run, offline): generous, so our payment is taken by any miner. Never used to judge others.
 */
export const FALLBACK_FEE_RATE = 100

/**
 * The rate to DEMAND of a payer when the miner's policy was never learnt: the lowest rate a
 * published mainnet miner policy accepts (ARC's policy example and live policies show
 * `miningFee {satoshis: 1, bytes: 1000}`). A payer paying any published policy clears it, so
 * a payee that cannot ask its miner never refuses a payment a miner would take; below it no
 * miner relays, so a payment under 1 sat/kB is still refused. Not zero: a zero-fee
 * transaction is a payment that never confirms.
 */
export const MIN_RELAY_FEE_RATE = 1

/** A learnt policy older than this is asked again when online (miners change their rates). */
export const FEE_POLICY_MAX_AGE_MS = 10 * 60_000

export async function loadSettings (db: AppDB): Promise<Settings> {
  const s = await db.get('settings', 'settings')
  return s === undefined ? structuredClone(DEFAULT_SETTINGS) : { ...structuredClone(DEFAULT_SETTINGS), ...s }
}

export async function saveSettings (db: AppDB, settings: Settings): Promise<void> {
  validateSettings(settings)
  await db.put('settings', settings, 'settings')
}

function checkUrl (url: string, what: string): void {
  if (url.startsWith('/')) return
  let u: URL
  try { u = new URL(url) } catch { throw new Error(`${what} is not a URL.`) }
  const local = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]'
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) throw new Error(`${what} must use https.`)
}

export function validateSettings (s: Settings): void {
  for (const [net, e] of Object.entries(s.endpoints)) {
    checkUrl(e.arc, `The ${net} miner (ARC) address`)
    checkUrl(e.chain, `The ${net} chain data address`)
    if (e.chainRps !== undefined && !(e.chainRps >= 0.1 && e.chainRps <= 1000)) throw new Error(`The ${net} chain data request rate must be between 0.1 and 1000 per second.`)
  }
  if (s.signalUrl !== '' && !s.signalUrl.startsWith('/')) {
    let u: URL
    try { u = new URL(s.signalUrl) } catch { throw new Error('The signalling address is not a URL.') }
    const local = u.hostname === 'localhost' || u.hostname === '127.0.0.1'
    if (u.protocol !== 'wss:' && !(u.protocol === 'ws:' && local)) throw new Error('The signalling address must use wss://.')
  }
  if (s.iceServers.length > 8) throw new Error('Use at most 8 STUN/TURN servers.')
  for (const ice of s.iceServers) {
    if (!/^(stun|stuns|turn|turns):[^\s]+$/.test(ice.urls)) throw new Error(`"${ice.urls}" is not a STUN or TURN address.`)
  }
  if (s.feeRate !== undefined && !(s.feeRate >= 0 && s.feeRate <= 100_000)) throw new Error('The fee rate must be between 0 and 100,000 sat/kB.')
  if (!(Number.isInteger(s.lockAfterMinutes) && s.lockAfterMinutes >= 1 && s.lockAfterMinutes <= 1440)) throw new Error('Auto-lock must be between 1 minute and 24 hours.')
}

/**
 * Chain-data requests per second: the setting, else WhatsOnChain's limit for the key (3/s
 * without). The devnet is unlimited unless started with a rate limit, so it gets a brisk
 * default; a limit it does set is ridden out by the pacer's 429 handling.
 */
export function chainRate (network: Network, ep: Settings['endpoints'][Network]): number | undefined {
  if (ep.chainRps !== undefined) return ep.chainRps
  return network === 'devnet' ? DEVNET_CHAIN_RPS : undefined
}
const DEVNET_CHAIN_RPS = 50

export function resolveEndpoint (url: string, origin: string): string {
  return new URL(url, origin).toString().replace(/\/$/, '')
}

/** Absolute ws(s):// URL for the signalling service, or undefined when none is configured. */
export function signalUrlFor (setting: string, origin: string): string | undefined {
  if (setting === '') return undefined
  const u = new URL(setting, origin)
  if (u.protocol === 'http:') u.protocol = 'ws:'
  if (u.protocol === 'https:') u.protocol = 'wss:'
  return u.toString()
}

/** One server per line: `stun:host:port` or `turn:host:port username credential`. */
export function parseIceServers (text: string): Settings['iceServers'] {
  return text.split('\n').map(l => l.trim()).filter(l => l !== '').map(line => {
    const [urls, username, credential] = line.split(/\s+/)
    return { urls: urls!, ...(username !== undefined ? { username } : {}), ...(credential !== undefined ? { credential } : {}) }
  })
}

export function formatIceServers (servers: Settings['iceServers']): string {
  return servers.map(s => [s.urls, s.username, s.credential].filter(x => x !== undefined).join(' ')).join('\n')
}

/** One-scan invites need the signalling service and a network. */
export function canInvite (settings: Settings, origin: string): boolean {
  return signalUrlFor(settings.signalUrl, origin) !== undefined && (typeof navigator === 'undefined' || navigator.onLine)
}

export function networkLabel (n: Network): string {
  return n === 'mainnet' ? 'Mainnet' : n === 'testnet' ? 'Testnet' : 'Devnet (local test chain)'
}
