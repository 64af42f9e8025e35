// Which ICE candidates a connection code carries. A code has room for about 45 bytes of
// candidates (MAX_CODE_BYTES less the fingerprint and credentials): an IPv4 address costs
// 7 bytes, an IPv6 address or an mDNS name 19. Each kind reaches a different network:
//   host   — the same Wi-Fi or hotspot (Chromium's mDNS name for IPv4 first: it is what
//            every engine can use on one LAN)
//   srflx  — the public address a NAT gave us: two different home/café networks
//   relay  — a TURN server's address: symmetric NATs (mobile data) and UDP-blocked networks
// So the code takes the best candidate of each kind before a second one of any kind,
// IPv4 before IPv6 of the same kind (IPv6 where it is all there is), and fills what room
// is left by the browser's own priority. A candidate that does not fit is skipped, not a
// reason to stop: a 7-byte IPv4 address may still fit where a 19-byte name did not.
import { addressKind } from './ip.ts'

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay'

export interface CompactCandidate {
  type: CandidateType
  /** IPv4, IPv6 or `<uuid>.local` */
  address: string
  port: number
}

export type RankedCandidate = CompactCandidate & { priority: number }

export type Family = 'ipv4' | 'ipv6' | 'unknown'

/**
 * The address family of a candidate. An mDNS name hides it; Chromium's priority still
 * tells (the local-preference low byte is libwebrtc's IP precedence: 30 for IPv4, more
 * for IPv6). Firefox's names stay 'unknown'.
 */
export function candidateFamily (c: RankedCandidate): Family {
  const kind = addressKind(c.address)
  if (kind === 'ipv4') return 'ipv4'
  if (kind === 'ipv6') return 'ipv6'
  const typePref = Math.floor(c.priority / 2 ** 24)
  const localPref = Math.floor(c.priority / 2 ** 8) & 0xffff
  if (typePref !== 126 || localPref > 0xff) return 'unknown'
  return localPref === 30 ? 'ipv4' : 'ipv6'
}

/** The order in which a code should carry candidates, most useful first. */
export function candidateSlots<C extends RankedCandidate> (cands: readonly C[]): C[] {
  const byPriority = [...cands].sort((a, b) => b.priority - a.priority)
  const best = (type: CandidateType, family: Family | 'any'): C | undefined => byPriority.find(c =>
    c.type === type && (family === 'any' || candidateFamily(c) === family))
  // The best host: IPv4 where known (every engine can use it on one LAN); otherwise the
  // browser's favourite host (Firefox's mDNS names don't tell their family).
  const host = best('host', 'ipv4') ?? best('host', 'any')
  const wanted = [
    host,
    best('srflx', 'ipv4'), best('relay', 'ipv4'),
    best('srflx', 'ipv6'), best('relay', 'ipv6'),
    best('srflx', 'any'), best('relay', 'any'),
    best('host', 'ipv6') ?? best('host', 'any')
  ]
  const out: C[] = []
  for (const c of [...wanted, ...byPriority]) {
    if (c !== undefined && !out.includes(c)) out.push(c)
  }
  return out
}

/**
 * Picks candidates in slot order while `fits(chosen)` says the code still fits, up to
 * `max`. Pure: the codec passes its own size check.
 */
export function chooseCandidates (
  cands: readonly RankedCandidate[], max: number, fits: (chosen: CompactCandidate[]) => boolean
): CompactCandidate[] {
  const chosen: CompactCandidate[] = []
  for (const c of candidateSlots(cands)) {
    if (chosen.length >= max) break
    const next = [...chosen, { type: c.type, address: c.address, port: c.port }]
    if (!fits(next)) continue
    chosen.push(next[next.length - 1]!)
  }
  return chosen
}
