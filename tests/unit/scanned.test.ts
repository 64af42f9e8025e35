// Garbage in, an answer out (issue 13): what a non-payment code is, said plainly, and a
// Wi-Fi password never read out of it.
import { describe, expect, it } from 'vitest'
import { foreignMessage, ForeignTextError, readPaymentTarget, recognizeForeign } from '../../src/core/scanned.ts'

describe('recognizeForeign', () => {
  it('names a Wi-Fi code by its network and never carries its password', () => {
    const f = recognizeForeign('WIFI:S:Cafe\\;Net;T:WPA;P:hunter2secret;;')
    expect(f).toEqual({ kind: 'wifi', network: 'Cafe;Net' })
    expect(JSON.stringify(f)).not.toContain('hunter2')
    expect(foreignMessage(f!)).toMatch(/^That is a Wi-Fi login code \(network “Cafe;Net”\), not a payment code or address\. Handover did not keep its password\./)
    expect(foreignMessage(f!)).not.toContain('hunter2')
    // Password first, name after: still only the name.
    expect(recognizeForeign('WIFI:T:WPA;P:s3cr3t;S:Home;;')).toEqual({ kind: 'wifi', network: 'Home' })
  })

  it('names links, plain text and other common codes', () => {
    expect(recognizeForeign('https://example.com/menu?x=1')).toEqual({ kind: 'url', host: 'example.com' })
    expect(recognizeForeign('www.example.org')).toEqual({ kind: 'url', host: 'www.example.org' })
    expect(recognizeForeign('hello world')).toEqual({ kind: 'text' })
    expect(recognizeForeign('mailto:a@b.c')).toEqual({ kind: 'email' })
    expect(recognizeForeign('tel:+4912345')).toEqual({ kind: 'phone' })
    expect(recognizeForeign('BEGIN:VCARD\nVERSION:3.0\nEND:VCARD')).toEqual({ kind: 'contact' })
    expect(foreignMessage({ kind: 'text' })).toMatch(/ordinary text, not a payment code or address/)
  })

  it('leaves addresses and bitcoin: links to the payment parser', () => {
    expect(recognizeForeign('mzBc4XEFSdzCDcTxAgf6EZXgsZWpztRhef')).toBeUndefined()
    expect(recognizeForeign('bitcoin:mzBc4XEFSdzCDcTxAgf6EZXgsZWpztRhef?amount=1')).toBeUndefined()
    expect(readPaymentTarget('mzBc4XEFSdzCDcTxAgf6EZXgsZWpztRhef', 'devnet').address).toBe('mzBc4XEFSdzCDcTxAgf6EZXgsZWpztRhef')
  })

  it('readPaymentTarget refuses foreign text with the plain answer, and marks a Wi-Fi code as secret', () => {
    let err: unknown
    try { readPaymentTarget('WIFI:S:x;T:WPA;P:pw;;', 'devnet') } catch (e) { err = e }
    expect(err).toBeInstanceOf(ForeignTextError)
    expect((err as ForeignTextError).secret).toBe(true)
    expect(() => readPaymentTarget('hello world', 'devnet')).toThrow(/ordinary text/)
  })
})
