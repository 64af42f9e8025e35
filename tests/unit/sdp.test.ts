import { describe, expect, it } from 'vitest'
import QRCode from 'qrcode'
import {
  base45Decode, base45Encode, buildSdp, decodeSdpText, encodeSdpText, packSdp, parseSdp,
  PayloadError, SdpCodecError, unpackSdp
} from '../../src/core/sdp/index.ts'

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
    // best priority first
    expect(compact.candidates[0]!.address).toBe('7d12f734-253d-4955-88e6-a08f48cd9cf3.local')
    // rebuilt SDP parses to the same compact form: the codec is a fixed point
    expect(parseSdp('offer', sdp)).toEqual(compact)
  })

  it('keeps IPv4, IPv6 and srflx UDP candidates, drops TCP, handles a session-level fingerprint', () => {
    const c = parseSdp('answer', FIREFOX_ANSWER)
    expect(c.setup).toBe('active')
    expect(c.maxMessageSize).toBeUndefined()
    expect(c.candidates).toEqual([
      { type: 'host', address: '192.168.1.20', port: 50600 },
      { type: 'host', address: '2001:db8::1:2', port: 50601 },
      { type: 'srflx', address: '203.0.113.7', port: 61000 }
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
