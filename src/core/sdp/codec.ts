// Compact SDP for a data-channel-only WebRTC session. Only what the far side needs
// to reach us and authenticate DTLS survives: fingerprint, ICE credentials, setup
// role, the UDP candidates that fit (best of each kind first, see choose.ts) and
// max-message-size. Everything else in a
// browser's SDP is boilerplate we can rebuild, which is how a ~900-byte offer or
// answer from Chromium or Firefox becomes a QR of version 6 at most (MAX_CODE_BYTES).
//
// Binary layout (version 1):
//   u8  header      (version << 4 | kind)            see kinds.ts
//   u8  flags       bits 0-1 setup (0 actpass, 1 active, 2 passive)
//                   bit  2   a non-"0" mid follows the credentials
//                   bits 3-7 log2(max-message-size), 0 = absent
//   32  sha-256 DTLS fingerprint
//   u8  ufrag length (bits 0-6), bit 7 set: lowercase hex packed 4 bits a char
//       (Firefox), else 6-bit ICE chars; then the packed ufrag
//   u8  pwd length, same encoding, then the packed pwd
//   [u8 mid length, mid as RFC 4566 token chars]     if flag bit 2
//   candidates until the end, each:
//   u8  bits 0-1 address kind (0 IPv4, 1 IPv6, 2 mDNS UUID), bits 2-3 type
//       (host, srflx, prflx, relay), bits 4-7 zero
//   4|16|16 address, u16 port

import { PayloadError, payloadHeader, readPayloadHeader } from './kinds.ts'
import { base45Decode, base45Encode, Base45Error, stripLineBreaks } from './base45.ts'
import { chooseCandidates, type CandidateType, type CompactCandidate, type RankedCandidate } from './choose.ts'
import {
  addressKind, formatIpv4, formatIpv6, formatMdns, parseIpv4, parseIpv6, parseMdns,
  type AddressKind
} from './ip.ts'

export type SdpKind = 'offer' | 'answer'
export type SetupRole = 'actpass' | 'active' | 'passive'
export type { CandidateType, CompactCandidate } from './choose.ts'

export interface CompactSdp {
  kind: SdpKind
  setup: SetupRole
  /** SHA-256 of the DTLS certificate, 32 bytes */
  fingerprint: Uint8Array
  ufrag: string
  pwd: string
  mid: string
  candidates: CompactCandidate[]
  /** bytes; undefined when the SDP carried none (peers then assume 64 KiB) */
  maxMessageSize?: number
}

export class SdpCodecError extends PayloadError {
  override name = 'SdpCodecError'
}

/**
 * Six 7-byte IPv4 candidates are the most that fit the byte budget; a decoder refuses
 * more, so a hostile code cannot make the browser try a long list of addresses.
 */
export const MAX_CANDIDATES = 6
/**
 * The most bytes a connection code may take: 102 bytes are 153 base45 characters, the
 * most an alphanumeric QR of version 6 holds at error correction M (154). A bigger
 * code means denser modules that a phone camera reads less reliably at arm's length.
 */
export const MAX_CODE_BYTES = 102
/** SDP token characters (RFC 4566): a mid made of these cannot break out of its line. */
const TOKEN_RE = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/
const HEX_RE = /^[0-9a-f]+$/
const SETUPS: readonly SetupRole[] = ['actpass', 'active', 'passive']
const TYPES: readonly CandidateType[] = ['host', 'srflx', 'prflx', 'relay']
const ADDR_KINDS: readonly AddressKind[] = ['ipv4', 'ipv6', 'mdns']
const ADDR_LEN: Record<AddressKind, number> = { ipv4: 4, ipv6: 16, mdns: 16 }
const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const ICE_RE = /^[A-Za-z0-9+/]+$/

// ---------- SDP text -> CompactSdp ----------

export interface ParseOptions {
  /** keep at most this many candidates; default MAX_CANDIDATES, and never more than fit MAX_CODE_BYTES */
  maxCandidates?: number
}

export function parseSdp (kind: SdpKind, sdp: string, opts: ParseOptions = {}): CompactSdp {
  const lines = sdp.split(/\r?\n/).map(l => l.trim()).filter(l => l.length > 0)
  const attr = (name: string): string | undefined => {
    const line = lines.find(l => l.startsWith(`a=${name}:`))
    return line?.slice(name.length + 3)
  }
  const mLines = lines.filter(l => l.startsWith('m='))
  if (mLines.length !== 1 || !/^m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel$/.test(mLines[0]!)) {
    throw new SdpCodecError('SDP must have exactly one data channel section (m=application … webrtc-datachannel)')
  }
  const fp = attr('fingerprint')
  if (fp === undefined) throw new SdpCodecError('SDP has no DTLS fingerprint')
  const fpMatch = /^sha-256 ((?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})$/.exec(fp)
  if (fpMatch === null) throw new SdpCodecError(`unsupported DTLS fingerprint (need sha-256): ${fp.slice(0, 20)}`)
  const fingerprint = Uint8Array.from(fpMatch[1]!.split(':').map(h => parseInt(h, 16)))
  const ufrag = attr('ice-ufrag'); const pwd = attr('ice-pwd')
  if (ufrag === undefined || pwd === undefined) throw new SdpCodecError('SDP has no ICE credentials')
  checkIce('ufrag', ufrag, 4); checkIce('pwd', pwd, 22)
  const setupText = attr('setup') ?? (kind === 'offer' ? 'actpass' : undefined)
  const setup = SETUPS.find(s => s === setupText)
  if (setup === undefined) throw new SdpCodecError(`SDP has no usable DTLS setup role (${String(setupText)})`)
  checkSetup(kind, setup)
  const sctpPort = attr('sctp-port')
  if (sctpPort !== undefined && sctpPort !== '5000') throw new SdpCodecError(`unsupported sctp-port ${sctpPort} (only 5000)`)
  const mid = attr('mid') ?? '0'
  checkMid(mid)
  const mmsText = attr('max-message-size')
  const maxMessageSize = mmsText === undefined ? undefined : Number(mmsText)
  if (maxMessageSize !== undefined && !(Number.isInteger(maxMessageSize) && maxMessageSize > 0)) {
    throw new SdpCodecError(`bad max-message-size ${mmsText ?? ''}`)
  }

  const all: RankedCandidate[] = []
  for (const line of lines) {
    if (!line.startsWith('a=candidate:')) continue
    const c = parseCandidateLine(line.slice(2))
    if (c === undefined) continue
    if (all.some(x => x.address === c.address && x.port === c.port)) continue
    all.push(c)
  }
  const base: CompactSdp = {
    kind, setup, fingerprint, ufrag, pwd, mid, candidates: [],
    ...(maxMessageSize !== undefined ? { maxMessageSize } : {})
  }
  // As many candidates as fit a version-6 QR: the best of each kind first (choose.ts).
  const max = Math.min(opts.maxCandidates ?? MAX_CANDIDATES, MAX_CANDIDATES)
  const candidates = chooseCandidates(all, max, next => packSdp({ ...base, candidates: next }).length <= MAX_CODE_BYTES)
  return { ...base, candidates }
}

function checkMid (mid: string): void {
  if (!TOKEN_RE.test(mid) || mid.length > 32) {
    throw new SdpCodecError('SDP mid must be 1-32 characters of an SDP token (letters, digits and !#$%&\'*+-.^_`{|}~)')
  }
}

/**
 * Parses `candidate:…` (with or without the `a=` prefix). Returns undefined for what
 * we deliberately leave out: TCP, RTCP component, addresses we can't rebuild.
 */
export function parseCandidateLine (text: string): RankedCandidate | undefined {
  const parts = text.replace(/^a=/, '').replace(/^candidate:/, '').split(/\s+/)
  if (parts.length < 8) return undefined
  const [, component, transport, priority, address, port, typ, type] = parts
  if (component !== '1' || transport?.toLowerCase() !== 'udp' || typ !== 'typ') return undefined
  const t = TYPES.find(x => x === type)
  const p = Number(port)
  if (t === undefined || address === undefined || !Number.isInteger(p) || p < 1 || p > 65535) return undefined
  const kind = addressKind(address)
  if (kind === undefined) return undefined
  const addr = kind === 'mdns' ? address.toLowerCase() : address
  return { type: t, address: addr, port: p, priority: Number(priority) || 0 }
}

function checkIce (what: string, value: string, min: number): void {
  if (!ICE_RE.test(value) || value.length < min || value.length > 256) {
    throw new SdpCodecError(`ICE ${what} must be ${min}-256 characters of A-Z a-z 0-9 + /`)
  }
}

function checkSetup (kind: SdpKind, setup: SetupRole): void {
  if (kind === 'offer' && setup !== 'actpass') throw new SdpCodecError('an offer must use setup:actpass')
  if (kind === 'answer' && setup === 'actpass') throw new SdpCodecError('an answer must use setup:active or passive')
}

// ---------- CompactSdp -> SDP text ----------

const TYPE_PREF: Record<CandidateType, number> = { host: 126, prflx: 110, srflx: 100, relay: 0 }

export function buildSdp (c: CompactSdp): string {
  // Session id only has to be stable per description; derive it from the
  // fingerprint so this stays a pure function.
  let sessionId = 0n
  for (let i = 0; i < 7; i++) sessionId = (sessionId << 8n) | BigInt(c.fingerprint[i] ?? 0)
  const fp = Array.from(c.fingerprint, b => b.toString(16).padStart(2, '0').toUpperCase()).join(':')
  const lines = [
    'v=0',
    `o=- ${sessionId} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    `a=group:BUNDLE ${c.mid}`,
    'a=msid-semantic: WMS',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    ...c.candidates.map((cand, i) => {
      // RFC 8445 priority: keep the packed order as the preference order
      const priority = TYPE_PREF[cand.type] * 2 ** 24 + (65535 - i) * 2 ** 8 + 255
      const rel = cand.type === 'host' ? '' : ' raddr 0.0.0.0 rport 0'
      return `a=candidate:${i + 1} 1 udp ${priority} ${cand.address} ${cand.port} typ ${cand.type}${rel} generation 0`
    }),
    `a=ice-ufrag:${c.ufrag}`,
    `a=ice-pwd:${c.pwd}`,
    `a=fingerprint:sha-256 ${fp}`,
    `a=setup:${c.setup}`,
    `a=mid:${c.mid}`,
    'a=sctp-port:5000',
    ...(c.maxMessageSize !== undefined ? [`a=max-message-size:${c.maxMessageSize}`] : [])
  ]
  return lines.join('\r\n') + '\r\n'
}

// ---------- CompactSdp <-> bytes ----------

export function packSdp (c: CompactSdp): Uint8Array {
  if (c.fingerprint.length !== 32) throw new SdpCodecError('fingerprint must be 32 bytes (sha-256)')
  checkIce('ufrag', c.ufrag, 4); checkIce('pwd', c.pwd, 22); checkSetup(c.kind, c.setup)
  if (c.candidates.length > MAX_CANDIDATES) throw new SdpCodecError(`at most ${MAX_CANDIDATES} candidates fit`)
  const out: number[] = [payloadHeader(c.kind)]
  checkMid(c.mid)
  const midBytes = c.mid === '0' ? undefined : Uint8Array.from(c.mid, ch => ch.charCodeAt(0))
  let mmsLog = 0
  if (c.maxMessageSize !== undefined) {
    // Advertising a smaller limit is always safe, so round down to a power of two.
    mmsLog = Math.min(31, Math.floor(Math.log2(c.maxMessageSize)))
    if (mmsLog < 1) throw new SdpCodecError('max-message-size too small')
  }
  out.push(SETUPS.indexOf(c.setup) | (midBytes !== undefined ? 4 : 0) | (mmsLog << 3))
  out.push(...c.fingerprint)
  out.push(...packIce(c.ufrag), ...packIce(c.pwd))
  if (midBytes !== undefined) {
    out.push(midBytes.length, ...midBytes)
  }
  for (const cand of c.candidates) {
    const kind = addressKind(cand.address)
    if (kind === undefined) throw new SdpCodecError(`candidate address ${cand.address} cannot be packed`)
    if (!Number.isInteger(cand.port) || cand.port < 1 || cand.port > 65535) throw new SdpCodecError(`bad candidate port ${cand.port}`)
    const addr = kind === 'ipv4' ? parseIpv4(cand.address) : kind === 'ipv6' ? parseIpv6(cand.address) : parseMdns(cand.address)
    if (addr === undefined) throw new SdpCodecError(`candidate address ${cand.address} cannot be packed`)
    out.push(ADDR_KINDS.indexOf(kind) | (TYPES.indexOf(cand.type) << 2), ...addr, cand.port >> 8, cand.port & 0xff)
  }
  return Uint8Array.from(out)
}

export function unpackSdp (bytes: Uint8Array): CompactSdp {
  const kindName = readPayloadHeader(bytes[0])
  if (kindName !== 'offer' && kindName !== 'answer') {
    throw new SdpCodecError(`expected a connection offer or answer, got an ${kindName}`)
  }
  const kind: SdpKind = kindName
  let i = 1
  const need = (n: number, what: string): void => {
    if (i + n > bytes.length) throw new SdpCodecError(`code is cut short (missing ${what})`)
  }
  need(1, 'flags')
  const flags = bytes[i++]!
  const setup = SETUPS[flags & 3]
  if (setup === undefined) throw new SdpCodecError('unknown DTLS setup role')
  checkSetup(kind, setup)
  const mmsLog = flags >> 3
  need(32, 'fingerprint')
  const fingerprint = bytes.slice(i, i + 32); i += 32
  const readIce = (what: string, min: number): string => {
    need(1, what)
    const lenByte = bytes[i++]!
    const hex = (lenByte & 0x80) !== 0
    const len = lenByte & 0x7f
    const n = Math.ceil(len * (hex ? 4 : 6) / 8)
    need(n, what)
    const s = hex ? unpackHex(bytes.subarray(i, i + n), len) : unpackIce(bytes.subarray(i, i + n), len); i += n
    checkIce(what, s, min)
    return s
  }
  const ufrag = readIce('ufrag', 4)
  const pwd = readIce('pwd', 22)
  let mid = '0'
  if ((flags & 4) !== 0) {
    need(1, 'mid')
    const len = bytes[i++]!
    if (len === 0 || len > 32) throw new SdpCodecError('bad mid length')
    need(len, 'mid')
    // Token characters only (ASCII): anything else, a line break or bytes that are not
    // even text, would be pasted into the SDP we hand the browser.
    mid = String.fromCharCode(...bytes.subarray(i, i + len)); i += len
    checkMid(mid)
  }
  const candidates: CompactCandidate[] = []
  while (i < bytes.length) {
    if (candidates.length === MAX_CANDIDATES) throw new SdpCodecError('code carries too many candidates')
    const h = bytes[i++]!
    if ((h & 0xf0) !== 0) throw new SdpCodecError('unknown candidate flags')
    const kindA = ADDR_KINDS[h & 3]
    if (kindA === undefined) throw new SdpCodecError('unknown candidate address kind')
    const type = TYPES[(h >> 2) & 3]!
    const len = ADDR_LEN[kindA]
    need(len + 2, 'candidate')
    const a = bytes.slice(i, i + len); i += len
    const port = (bytes[i]! << 8) | bytes[i + 1]!; i += 2
    if (port === 0) throw new SdpCodecError('candidate port 0')
    const address = kindA === 'ipv4' ? formatIpv4(a) : kindA === 'ipv6' ? formatIpv6(a) : formatMdns(a)
    candidates.push({ type, address, port })
  }
  return {
    kind, setup, fingerprint, ufrag, pwd, mid, candidates,
    ...(mmsLog > 0 ? { maxMessageSize: 2 ** mmsLog } : {})
  }
}

function packIce (s: string): number[] {
  if (s.length > 127) throw new SdpCodecError('ICE credentials longer than 127 characters cannot be packed')
  if (HEX_RE.test(s)) {
    // Firefox's credentials are lowercase hex: half a byte each instead of six bits.
    const out: number[] = [0x80 | s.length]
    for (let k = 0; k < s.length; k += 2) out.push((parseInt(s[k]!, 16) << 4) | (k + 1 < s.length ? parseInt(s[k + 1]!, 16) : 0))
    return out
  }
  const out: number[] = [s.length]
  let acc = 0; let bits = 0
  for (const ch of s) {
    acc = (acc << 6) | ICE_CHARS.indexOf(ch); bits += 6
    while (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff) }
    acc &= (1 << bits) - 1
  }
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff)
  return out
}

function unpackHex (b: Uint8Array, len: number): string {
  let s = ''
  for (let k = 0; k < len; k++) s += ((b[k >> 1]! >> ((k & 1) === 0 ? 4 : 0)) & 15).toString(16)
  return s
}

function unpackIce (b: Uint8Array, len: number): string {
  let s = ''; let acc = 0; let bits = 0; let j = 0
  while (s.length < len) {
    if (bits < 6) { acc = (acc << 8) | b[j++]!; bits += 8 }
    bits -= 6
    s += ICE_CHARS[(acc >> bits) & 63]!
    acc &= (1 << bits) - 1
  }
  return s
}

// ---------- text (what goes in the QR) ----------

/** Browser SDP -> base45 text for a QR in alphanumeric mode. */
export function encodeSdpText (kind: SdpKind, sdp: string, opts?: ParseOptions): string {
  return base45Encode(packSdp(parseSdp(kind, sdp, opts)))
}

/** Scanned text -> SDP a browser accepts. Throws SdpCodecError / PayloadError with a readable message. */
export function decodeSdpText (text: string): { kind: SdpKind, sdp: string, compact: CompactSdp } {
  let bytes: Uint8Array
  try {
    bytes = base45Decode(stripLineBreaks(text))
  } catch (e) {
    if (e instanceof Base45Error) throw new SdpCodecError(`This is not a Handover connection code: ${e.message}`)
    throw e
  }
  const compact = unpackSdp(bytes)
  return { kind: compact.kind, sdp: buildSdp(compact), compact }
}

/** Hex of a fingerprint as it appears in SDP, for display and the identity binding. */
export function fingerprintOf (sdp: string): Uint8Array {
  const m = /a=fingerprint:sha-256 ((?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})/.exec(sdp)
  if (m === null) throw new SdpCodecError('SDP has no sha-256 DTLS fingerprint')
  return Uint8Array.from(m[1]!.split(':').map(h => parseInt(h, 16)))
}
