import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import QRCode from 'qrcode'
import {
  base45Decode, base45Encode, buildSdp, candidateFamily, candidateSlots, decodeSdpText, encodeSdpText, MAX_CANDIDATES,
  MAX_CODE_BYTES, packSdp, parseCandidateLine, parseSdp, PayloadError, SdpCodecError, unpackSdp, type RankedCandidate
} from '../../src/core/sdp/index.ts'

/** Real SDPs captured from Debian Chromium and Firefox ESR (scripts/capture-sdp.ts). */
function fixture (name: string): string {
  return readFileSync(new URL(`../fixtures/sdp/${name}.txt`, import.meta.url), 'utf8')
}
function qrVersionM (text: string): number {
  return QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' }).version
}

// Captured from Chromium 156 (data channel only, mDNS host candidates).
const CHROME_OFFER = [
  'v=0', 'o=- 7133742000513551252 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'a=extmap-allow-mixed', 'a=msid-semantic: WMS', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=candidate:538200415 1 udp 2113937151 03034624-3c7f-4aba-b430-2f4c7066fc46.local 43829 typ host generation 0 network-cost 999',
  'a=candidate:661005807 1 udp 2113942271 7d12f734-253d-4955-88e6-a08f48cd9cf3.local 54906 typ host generation 0 network-cost 999',
  'a=ice-ufrag:kp6o', 'a=ice-pwd:Hjl2qfVwtnV8lTUvlQlmtqko', 'a=ice-options:trickle',
  'a=fingerprint:sha-256 65:B7:AC:04:31:0E:9F:FD:E4:DE:9F:AF:BC:86:85:A3:F1:48:FA:56:5B:0C:23:89:C6:F1:69:28:62:71:50:8D',
  'a=setup:actpass', 'a=mid:0', 'a=sctp-port:5000', 'a=max-message-size:262144', ''
].join('\r\n')

// Firefox-shaped answer: session-level fingerprint, IPv4 + IPv6 + TCP + srflx, no max-message-size.
const FIREFOX_ANSWER = [
  'v=0', 'o=mozilla...THIS_IS_SDPARTA-99.0 4489 0 IN IP4 0.0.0.0', 's=-', 't=0 0',
  'a=fingerprint:sha-256 0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9',
  'a=group:BUNDLE 0', 'a=ice-options:trickle', 'a=msid-semantic:WMS *',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0',
  'a=candidate:0 1 UDP 2122252543 192.168.1.20 50600 typ host',
  'a=candidate:1 1 UDP 2122187007 2001:db8::1:2 50601 typ host',
  'a=candidate:2 1 TCP 2105524479 192.168.1.20 9 typ host tcptype active',
  'a=candidate:3 1 UDP 1685987071 203.0.113.7 61000 typ srflx raddr 192.168.1.20 rport 50600',
  'a=sendrecv', 'a=ice-pwd:1b2c3d4e5f60718293a4b5c6d7e8f901', 'a=ice-ufrag:9f8e7d6c',
  'a=mid:0', 'a=setup:active', 'a=sctp-port:5000', ''
].join('\r\n')

describe('base45', () => {
  it('matches the RFC 9285 examples', () => {
    expect(base45Encode(new TextEncoder().encode('AB'))).toBe('BB8')
    expect(base45Encode(new TextEncoder().encode('Hello!!'))).toBe('%69 VD92EX0')
    expect(new TextDecoder().decode(base45Decode('QED8WEX0'))).toBe('ietf!')
  })
  it('round-trips every byte length and value', () => {
    for (let n = 0; n < 40; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 13) & 0xff)
      expect(base45Decode(base45Encode(b))).toEqual(b)
    }
  })
  it('rejects lowercase, bad length and overflow with a readable error', () => {
    expect(() => base45Decode('bb8')).toThrow(/not base45/)
    expect(() => base45Decode('BB8A')).toThrow(/impossible length/)
    expect(() => base45Decode('GGW')).toThrow(/overflows/)
  })
})

describe('compact SDP', () => {
  it('shrinks a Chromium offer into a QR of version ≤ 6 at EC M', () => {
    const text = encodeSdpText('offer', CHROME_OFFER)
    expect(text).toMatch(/^[0-9A-Z $%*+\-./:]+$/)
    expect(text.length).toBeLessThanOrEqual(155)
    const qr = QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' })
    expect(qr.version).toBeLessThanOrEqual(6)
    const raw = QRCode.create(CHROME_OFFER, { errorCorrectionLevel: 'M' })
    expect(raw.version).toBeGreaterThan(15)
  })

  it('rebuilds SDP carrying the same transport facts', () => {
    const { kind, sdp, compact } = decodeSdpText(encodeSdpText('offer', CHROME_OFFER))
    expect(kind).toBe('offer')
    expect(sdp).toContain('a=fingerprint:sha-256 65:B7:AC:04:31:0E:9F:FD:E4:DE:9F:AF:BC:86:85:A3:F1:48:FA:56:5B:0C:23:89:C6:F1:69:28:62:71:50:8D')
    expect(sdp).toContain('a=ice-ufrag:kp6o\r\n')
    expect(sdp).toContain('a=ice-pwd:Hjl2qfVwtnV8lTUvlQlmtqko\r\n')
    expect(sdp).toContain('a=setup:actpass')
    expect(sdp).toContain('a=max-message-size:262144')
    expect(sdp).toContain('7d12f734-253d-4955-88e6-a08f48cd9cf3.local 54906 typ host')
    // Chromium's IPv4 host candidate (IP precedence 30 in its priority) first, though it ranks lower
    expect(compact.candidates[0]!.address).toBe('03034624-3c7f-4aba-b430-2f4c7066fc46.local')
    expect(compact.candidates[1]!.address).toBe('7d12f734-253d-4955-88e6-a08f48cd9cf3.local')
    // rebuilt SDP parses to the same compact form: the codec is a fixed point
    expect(parseSdp('offer', sdp)).toEqual(compact)
  })

  it('keeps IPv4, IPv6 and srflx UDP candidates, drops TCP, handles a session-level fingerprint', () => {
    const c = parseSdp('answer', FIREFOX_ANSWER)
    expect(c.setup).toBe('active')
    expect(c.maxMessageSize).toBeUndefined()
    // one of each kind before a second host: the public address reaches another network
    expect(c.candidates).toEqual([
      { type: 'host', address: '192.168.1.20', port: 50600 },
      { type: 'srflx', address: '203.0.113.7', port: 61000 },
      { type: 'host', address: '2001:db8::1:2', port: 50601 }
    ])
    const back = unpackSdp(packSdp(c))
    expect(back).toEqual(c)
    expect(buildSdp(back)).toContain('203.0.113.7 61000 typ srflx raddr 0.0.0.0 rport 0')
    expect(buildSdp(back)).not.toContain('max-message-size')
  })

  it('packs an answer with no candidates into a small code', () => {
    const c = { ...parseSdp('answer', FIREFOX_ANSWER), candidates: [] }
    const text = base45Encode(packSdp(c))
    expect(text.length).toBeLessThan(100)
    expect(decodeSdpText(text).compact.candidates).toEqual([])
  })

  it('carries a non-default mid', () => {
    const c = { ...parseSdp('offer', CHROME_OFFER), mid: 'data' }
    const back = unpackSdp(packSdp(c))
    expect(back.mid).toBe('data')
    expect(buildSdp(back)).toContain('a=group:BUNDLE data')
  })

  it('refuses SDP it cannot represent, saying why', () => {
    expect(() => parseSdp('offer', CHROME_OFFER.replace('sha-256', 'sha-1'))).toThrow(/sha-256/)
    expect(() => parseSdp('offer', CHROME_OFFER.replace('a=ice-ufrag:kp6o\r\n', ''))).toThrow(/ICE credentials/)
    expect(() => parseSdp('answer', CHROME_OFFER)).toThrow(/answer must use setup:active or passive/)
    expect(() => parseSdp('offer', CHROME_OFFER + 'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n')).toThrow(/exactly one data channel/)
  })

  it('gives clear errors for malformed, truncated, foreign or future codes', () => {
    const good = packSdp(parseSdp('offer', CHROME_OFFER))
    expect(() => decodeSdpText('')).toThrow(PayloadError)
    expect(() => decodeSdpText('')).toThrow(/empty/)
    expect(() => decodeSdpText('hello world')).toThrow(/not a Handover connection code/)
    expect(() => decodeSdpText('bitcoin:1abc')).toThrow(SdpCodecError)
    expect(() => unpackSdp(good.slice(0, 20))).toThrow(/cut short \(missing fingerprint\)/)
    expect(() => unpackSdp(good.slice(0, good.length - 1))).toThrow(/cut short/)
    const future = good.slice(); future[0] = 0x21
    expect(() => unpackSdp(future)).toThrow(/newer Handover/)
    const invite = good.slice(); invite[0] = 0x13
    expect(() => unpackSdp(invite)).toThrow(/got an invite/)
    const badFlags = good.slice(); badFlags[1] = (badFlags[1]! & ~3) | 3
    expect(() => unpackSdp(badFlags)).toThrow(/setup role/)
    const extra = Uint8Array.from([...good, 0x40])
    expect(() => unpackSdp(extra)).toThrow(/candidate flags/)
  })
})

describe('payloads that start with a space', () => {
  it('survive decoding (space is a base45 digit), while line breaks from scanners are ignored', () => {
    // the first base45 digit is (header * 256 + next byte) % 45: pick the byte that makes it a space
    const c = parseSdp('offer', CHROME_OFFER)
    let text = ''
    for (let mms = 1; mms < 32 && !text.startsWith(' '); mms++) {
      text = base45Encode(packSdp({ ...c, maxMessageSize: 2 ** mms }))
    }
    expect(text.startsWith(' ')).toBe(true)
    expect(decodeSdpText(text).kind).toBe('offer')
    expect(decodeSdpText(text + '\r\n').kind).toBe('offer')
  })
})

describe('real offers and answers from every engine with WebRTC', () => {
  const cases = [
    { name: 'chromium-offer', kind: 'offer' as const },
    { name: 'firefox-offer', kind: 'offer' as const },
    { name: 'chromium-answer-to-firefox', kind: 'answer' as const },
    { name: 'firefox-answer-to-chromium', kind: 'answer' as const }
  ]
  for (const { name, kind } of cases) {
    it(`${name}: fits a QR of version 6, carries two candidates and survives the round trip`, () => {
      const sdp = fixture(name)
      const text = encodeSdpText(kind, sdp)
      expect(qrVersionM(text)).toBeLessThanOrEqual(6)
      expect(base45Decode(text).length).toBeLessThanOrEqual(MAX_CODE_BYTES)
      const back = decodeSdpText(text)
      expect(back.kind).toBe(kind)
      // two host candidates: the far side has a second address to try
      expect(back.compact.candidates).toHaveLength(2)
      for (const c of back.compact.candidates) expect(sdp).toContain(`${c.address} ${c.port} typ host`)
      // credentials and fingerprint are the browser's own, byte for byte
      expect(back.sdp).toContain(/a=ice-ufrag:.*/.exec(sdp)![0])
      expect(back.sdp).toContain(/a=ice-pwd:.*/.exec(sdp)![0])
      expect(back.sdp).toContain(/a=fingerprint:sha-256 .*/.exec(sdp)![0])
      expect(parseSdp(kind, back.sdp)).toEqual(back.compact)
    })
  }

  it('puts Chromium\'s IPv4 host candidate first, even behind an mDNS name', () => {
    // Chromium ranks its IPv6 candidate higher; Firefox cannot use that one, so a
    // one-candidate answer from Chromium left a Firefox offerer with nothing to reach.
    const sdp = fixture('chromium-answer-to-firefox')
    const ipv4Line = sdp.split('\r\n').find(l => / udp 2113937151 /.test(l))!
    const first = decodeSdpText(encodeSdpText('answer', sdp)).compact.candidates[0]!
    expect(ipv4Line).toContain(`${first.address} ${first.port} typ host`)
    // the same when asked for a single candidate
    const one = parseSdp('answer', sdp, { maxCandidates: 1 }).candidates
    expect(one).toEqual([first])
  })

  it('packs Firefox\'s lowercase-hex ICE credentials at half a byte a character', () => {
    const c = parseSdp('offer', fixture('firefox-offer'))
    expect(c.ufrag).toMatch(/^[0-9a-f]{8}$/)
    expect(c.pwd).toMatch(/^[0-9a-f]{32}$/)
    const asIceChars = packSdp({ ...c, ufrag: c.ufrag.toUpperCase(), pwd: c.pwd.toUpperCase() }).length
    expect(packSdp(c).length).toBe(asIceChars - 10)
    // (Firefox's max-message-size is rounded down to a power of two: advertising less is safe)
    expect(unpackSdp(packSdp(c))).toEqual({ ...c, maxMessageSize: 2 ** 29 })
    // odd lengths and mixed case survive too
    for (const pwd of ['abcdef0123456789abcdef012', 'AbCdEf0123456789abcdef01']) {
      expect(unpackSdp(packSdp({ ...c, pwd })).pwd).toBe(pwd)
    }
  })

  it('takes a third candidate only while the code still fits', () => {
    const plain = FIREFOX_ANSWER // IPv4 + IPv6 + srflx: 89 bytes
    expect(parseSdp('answer', plain).candidates).toHaveLength(3)
    const chrome = fixture('chromium-offer').replace('a=ice-ufrag',
      'a=candidate:9 1 udp 1677729535 203.0.113.9 61000 typ srflx raddr 0.0.0.0 rport 0\r\n' +
      'a=candidate:8 1 udp 2113939711 0f0e0d0c-0b0a-4908-8706-050403020100.local 50000 typ host\r\na=ice-ufrag')
    const c = parseSdp('offer', chrome)
    expect(packSdp(c).length).toBeLessThanOrEqual(MAX_CODE_BYTES)
    // the public address comes right after the best host; then one more mDNS name fits,
    // not a third
    expect(c.candidates.map(x => x.type)).toEqual(['host', 'srflx', 'host'])
  })
})

describe('candidate choice with STUN and TURN configured (real Chromium lines, scripts/capture-sdp-ice.ts)', () => {
  const offer = fixture('chromium-offer-ice')
  const answer = fixture('chromium-answer-ice')
  const line = (sdp: string, re: RegExp): RankedCandidate => parseCandidateLine(sdp.split('\r\n').find(l => re.test(l))!)!

  it('an offer carries its best host, server-reflexive and relay candidate, IPv4 and IPv6, in a version-6 QR', () => {
    const text = encodeSdpText('offer', offer)
    expect(qrVersionM(text)).toBeLessThanOrEqual(6)
    expect(base45Decode(text).length).toBeLessThanOrEqual(MAX_CODE_BYTES)
    const got = decodeSdpText(text)
    // the mDNS IPv4 host for one LAN, the public IPv4 for two NATs, the TURN address for
    // symmetric NAT / UDP-blocked networks, and (room permitting) the public IPv6
    expect(got.compact.candidates.map(c => `${c.type} ${c.address} ${c.port}`)).toEqual([
      `host ${line(offer, / 2113937151 /).address} 33008`,
      'srflx 192.0.2.2 33008',
      'relay 192.0.2.2 40030',
      'relay 192.0.2.2 40098'
    ])
    // every candidate the browser is handed back is one the offerer really gathered
    for (const c of got.compact.candidates) expect(offer).toContain(`${c.address} ${c.port} typ ${c.type}`)
    expect(parseSdp('offer', got.sdp)).toEqual(got.compact)
  })

  it('an IPv6 server-reflexive address is carried where IPv4 has none', () => {
    // an IPv6-only network: no IPv4 host, srflx or relay, so the public IPv6 takes the room
    const v6only = offer.split('\r\n').filter(l => !/ 192\.0\.2\.2 | 2113937151 /.test(l)).join('\r\n')
    const got = decodeSdpText(encodeSdpText('offer', v6only)).compact.candidates
    expect(got.map(c => c.type)).toEqual(['host', 'srflx'])
    expect(got[1]).toEqual({ type: 'srflx', address: 'fd00::2', port: 51792 })
    expect(qrVersionM(encodeSdpText('offer', v6only))).toBeLessThanOrEqual(6)
  })

  it('an answer carries the payer\'s public address, not only its mDNS name', () => {
    // the case that failed across two NATs: the payee never learnt a usable address
    const text = encodeSdpText('answer', answer)
    expect(qrVersionM(text)).toBeLessThanOrEqual(6)
    const got = decodeSdpText(text).compact.candidates
    expect(got.map(c => c.type)).toEqual(['host', 'srflx', 'host'])
    expect(got[1]).toEqual({ type: 'srflx', address: '192.0.2.2', port: 38977 })
  })

  it('knows the family behind Chromium\'s mDNS names from the priority, and says when it cannot', () => {
    expect(candidateFamily(line(offer, / 2113937151 /))).toBe('ipv4')
    expect(candidateFamily(line(offer, / 2113942271 /))).toBe('ipv6')
    expect(candidateFamily(line(offer, / 1677734655 /))).toBe('ipv6')
    expect(candidateFamily({ type: 'host', address: '0e66b5c8-120b-4ef6-a8b2-adf075f7d8c1.local', port: 1, priority: 2122187007 })).toBe('unknown')
  })

  it('ranks one of each kind before a second of any kind', () => {
    const c = (type: RankedCandidate['type'], address: string, priority: number): RankedCandidate => ({ type, address, port: 1000, priority })
    const slots = candidateSlots([
      c('host', '10.0.0.2', 2122260223), c('host', '10.0.0.3', 2122260222), c('host', '2001:db8::2', 2122262783),
      c('srflx', '203.0.113.5', 1686052607), c('srflx', '2001:db8::9', 1686055167), c('relay', '198.51.100.1', 41885439)
    ])
    expect(slots.map(x => x.address)).toEqual(['10.0.0.2', '203.0.113.5', '198.51.100.1', '2001:db8::9', '2001:db8::2', '10.0.0.3'])
  })

  it('never packs more candidates than fit, and a decoder refuses a code with too many', () => {
    const many = Array.from({ length: 12 }, (_, i) => `a=candidate:${i} 1 udp ${1677729535 - i} 203.0.113.${i + 1} ${40000 + i} typ srflx raddr 0.0.0.0 rport 0`).join('\r\n')
    const sdp = offer.replace('a=ice-ufrag', `${many}\r\na=ice-ufrag`)
    const c = parseSdp('offer', sdp)
    expect(c.candidates.length).toBeLessThanOrEqual(MAX_CANDIDATES)
    expect(packSdp(c).length).toBeLessThanOrEqual(MAX_CODE_BYTES)
    expect(qrVersionM(encodeSdpText('offer', sdp))).toBeLessThanOrEqual(6)
    const seven = { ...c, candidates: [] as typeof c.candidates }
    const bytes = [...packSdp(seven)]
    for (let i = 0; i < MAX_CANDIDATES + 1; i++) bytes.push(0, 203, 0, 113, i + 1, 0x9c, 0x40)
    expect(() => unpackSdp(Uint8Array.from(bytes))).toThrow(/too many candidates/)
  })
})

describe('a hostile connection code', () => {
  const good = parseSdp('offer', CHROME_OFFER)
  function withMidBytes (mid: number[]): Uint8Array {
    const packed = packSdp({ ...good, mid: 'x', candidates: [] })
    const at = packed.indexOf('x'.charCodeAt(0), 38) // after header, flags, fingerprint, credentials
    return Uint8Array.from([...packed.subarray(0, at - 1), mid.length, ...mid, ...packed.subarray(at + 1)])
  }

  it('cannot inject SDP lines through the mid', () => {
    const attack = [...new TextEncoder().encode('0\r\na=candidate:1 1 udp 1 6.6.6.6 1 typ host')].slice(0, 32)
    expect(() => unpackSdp(withMidBytes(attack))).toThrow(SdpCodecError)
    expect(() => unpackSdp(withMidBytes(attack))).toThrow(/mid must be/)
    expect(() => decodeSdpText(base45Encode(withMidBytes(attack)))).toThrow(/mid must be/)
    // nor can a browser's SDP smuggle one into a code we make
    expect(() => packSdp({ ...good, mid: '0\r\nx' })).toThrow(/mid must be/)
    expect(() => parseSdp('offer', CHROME_OFFER.replace('a=mid:0', 'a=mid:a b'))).toThrow(/mid must be/)
  })

  it('gets a clear error, not a TypeError, for a mid that is not even text', () => {
    const bad = withMidBytes([0xc3, 0x28, 0xff])
    let err: unknown
    try { decodeSdpText(base45Encode(bad)) } catch (e) { err = e }
    expect(err).toBeInstanceOf(SdpCodecError)
    expect((err as Error).message).toMatch(/mid must be/)
  })

  it('still carries an ordinary token mid', () => {
    const back = unpackSdp(withMidBytes([...new TextEncoder().encode('data-1')]))
    expect(back.mid).toBe('data-1')
    expect(buildSdp(back)).toContain('a=mid:data-1\r\n')
  })
})
