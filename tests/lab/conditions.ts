// The network conditions two phones meet in, and which pairing modes have any path there.
import type { Topology } from './net.ts'

export type Mode = 'invite' | 'qr'

export interface Condition {
  name: string
  what: string
  topology: Topology
  /** After the pages loaded (the app is installed), the network loses this. */
  offline?: 'uplink-a' | 'phone-b'
  /** Modes for which some path exists (the goal: 100% connected there). */
  hasPath: Mode[]
}

const pr = { nat: 'port-restricted' } as const
const sym = { nat: 'symmetric' } as const

export const CONDITIONS: Condition[] = [
  { name: 'same_lan', what: 'both phones on one Wi-Fi behind one NAT router', topology: { sameLan: true, sides: [pr] }, hasPath: ['invite', 'qr'] },
  { name: 'two_nats', what: 'two home routers (port-restricted cone NATs)', topology: { sameLan: false, sides: [pr, pr] }, hasPath: ['invite', 'qr'] },
  { name: 'sym_one', what: 'symmetric NAT (MASQUERADE --random-fully) on the payer\'s side, port-restricted on the payee\'s', topology: { sameLan: false, sides: [pr, sym] }, hasPath: ['invite', 'qr'] },
  { name: 'sym_both', what: 'symmetric NAT on both sides', topology: { sameLan: false, sides: [sym, sym] }, hasPath: ['invite', 'qr'] },
  { name: 'udp_blocked', what: 'both networks drop all forwarded UDP (TCP only)', topology: { sameLan: false, sides: [{ ...pr, blockUdp: true }, { ...pr, blockUdp: true }] }, hasPath: ['invite', 'qr'] },
  { name: 'ipv6_only', what: 'one IPv6-only Wi-Fi (no IPv4 at all), routed to an IPv6 internet', topology: { sameLan: true, sides: [pr], ipv6Only: true }, hasPath: ['invite', 'qr'] },
  { name: 'no_internet', what: 'one Wi-Fi whose router has lost its uplink', topology: { sameLan: true, sides: [pr] }, offline: 'uplink-a', hasPath: ['qr'] },
  { name: 'payer_offline', what: 'payee online; payer has no network at all, on no shared LAN', topology: { sameLan: false, sides: [pr, pr] }, offline: 'phone-b', hasPath: [] },
  { name: 'lossy', what: 'two NATs; the payer\'s link adds 75 ms each way (150 ms RTT) and drops 2% each way', topology: { sameLan: false, sides: [pr, pr], shapeB: { delayMs: 75, lossPct: 2 } }, hasPath: ['invite', 'qr'] }
]
