// Pasting or scanning a code with whitespace around it: base45 has a space digit, so
// trimming first breaks codes that start or end with one.
import { PrivateKey } from '@bsv/sdk'
import { describe, expect, it } from 'vitest'
import { connectionCodeIn } from '../../src/app/connection-code.ts'
import { decodeInvite, encodeInvite } from '../../src/core/link-auth/index.ts'
import { encodeSdpText } from '../../src/core/sdp/index.ts'

const hex = (b: number[]): string => b.map(x => x.toString(16).padStart(2, '0')).join('')
const SURROUNDINGS: Array<[string, string]> = [['\n', '\n'], ['  ', ' \n'], ['\t ', '  '], [' \r\n', '\r\n  '], ['', ' ']]

// One identity key per possible last byte (the code's last two characters come from it alone).
const keysByLastByte = new Map<number, string>()
while (keysByLastByte.size < 256) {
  const k = PrivateKey.fromRandom().toPublicKey().toString()
  const last = parseInt(k.slice(-2), 16)
  if (!keysByLastByte.has(last)) keysByLastByte.set(last, k)
}

describe('recognising a pasted code before any trimming', () => {
  it('finds every invite, for all 256 values of its first and last bytes, inside surrounding whitespace', () => {
    let edgeSpaces = 0
    let trimmedWouldFail = 0
    for (let b = 0; b < 256; b++) {
      const room = hex([b, ...Array.from({ length: 15 }, (_, i) => (i * 37 + b) & 0xff)])
      const invite = { room, identityKey: keysByLastByte.get(b)! }
      const text = encodeInvite(invite)
      if (text.startsWith(' ') || text.endsWith(' ')) {
        edgeSpaces++
        let broken = false
        try { decodeInvite(text.trim()) } catch { broken = true }
        if (broken) trimmedWouldFail++
      }
      for (const [before, after] of SURROUNDINGS) {
        const code = connectionCodeIn(before + text + after)
        expect(code, `byte ${b}, ${JSON.stringify(before)}…${JSON.stringify(after)}`).toBe(text)
        expect(decodeInvite(code!)).toEqual(invite)
      }
    }
    // The case the old paste box lost really occurs in this sweep.
    expect(edgeSpaces).toBeGreaterThanOrEqual(5)
    expect(trimmedWouldFail).toBe(edgeSpaces)
  })

  it('finds offers and answers the same way, and leaves addresses and URIs alone', () => {
    const sdp = [
      'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0', 'a=msid-semantic: WMS',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0',
      'a=candidate:1 1 udp 2122260223 192.168.1.20 50000 typ host generation 0',
      'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', 'a=ice-options:trickle',
      'a=fingerprint:sha-256 ' + Array.from({ length: 32 }, (_, i) => (i * 7 & 0xff).toString(16).padStart(2, '0').toUpperCase()).join(':'),
      'a=setup:actpass', 'a=mid:0', 'a=sctp-port:5000', 'a=max-message-size:262144', ''
    ].join('\r\n')
    const offer = encodeSdpText('offer', sdp)
    expect(connectionCodeIn(`\n  ${offer}  \n`)).toBe(offer)
    expect(connectionCodeIn('  1BoatSLRHtKNngkdXEeobR76b53LETtpyT \n')).toBeUndefined()
    expect(connectionCodeIn('bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT?amount=0.1')).toBeUndefined()
    expect(connectionCodeIn('   ')).toBeUndefined()
  })
})
