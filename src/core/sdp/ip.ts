// Address <-> bytes for ICE candidates. Only what appears in candidate lines:
// dotted IPv4, RFC 5952-ish IPv6 (with :: and optional embedded IPv4), and the
// UUID-named mDNS hosts Chromium/Safari use to hide local addresses.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/
const MDNS = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\.local$/i

export type AddressKind = 'ipv4' | 'ipv6' | 'mdns'

export function addressKind (addr: string): AddressKind | undefined {
  if (IPV4.test(addr)) return 'ipv4'
  if (MDNS.test(addr)) return 'mdns'
  if (addr.includes(':') && parseIpv6(addr) !== undefined) return 'ipv6'
  return undefined
}

export function parseIpv4 (addr: string): Uint8Array | undefined {
  const m = IPV4.exec(addr)
  if (m === null) return undefined
  const parts = m.slice(1).map(Number)
  if (parts.some(p => p > 255)) return undefined
  return Uint8Array.from(parts)
}

export function parseIpv6 (addr: string): Uint8Array | undefined {
  if (addr.includes('%')) return undefined // a zone id can't travel to another device
  let text = addr
  const lastColon = text.lastIndexOf(':')
  if (lastColon < 0) return undefined
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    text = text.slice(0, lastColon + 1) +
      (((v4[0]! << 8) | v4[1]!).toString(16)) + ':' + (((v4[2]! << 8) | v4[3]!).toString(16))
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const toGroups = (s: string): Array<number | undefined> => s === ''
    ? []
    : s.split(':').map(g => /^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : undefined)
  const head = toGroups(halves[0]!)
  const rest = halves.length === 2 ? toGroups(halves[1]!) : []
  if ([...head, ...rest].some(g => g === undefined)) return undefined
  let groups: number[]
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length
    if (fill < 1) return undefined
    groups = [...head as number[], ...new Array<number>(fill).fill(0), ...rest as number[]]
  } else {
    groups = head as number[]
  }
  if (groups.length !== 8) return undefined
  const out = new Uint8Array(16)
  groups.forEach((g, i) => { out[i * 2] = g >> 8; out[i * 2 + 1] = g & 0xff })
  return out
}

export function formatIpv4 (b: Uint8Array): string {
  return Array.from(b).join('.')
}

export function formatIpv6 (b: Uint8Array): string {
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!)
  // compress the longest run of >= 2 zero groups (RFC 5952)
  let best = -1; let bestLen = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i }
    i = j
  }
  const hex = groups.map(g => g.toString(16))
  if (best < 0) return hex.join(':')
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':')
}

export function parseMdns (addr: string): Uint8Array | undefined {
  const m = MDNS.exec(addr)
  if (m === null) return undefined
  const hex = m.slice(1).join('')
  const out = new Uint8Array(16)
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

export function formatMdns (b: Uint8Array): string {
  const h = Array.from(b, x => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}.local`
}
