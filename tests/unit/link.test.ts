import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PrivateKey } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import {
  decodeInvite, encodeInvite, shortAuthString, signHello, verifyHello, type ChannelBinding, type HelloContext, type LinkRole
} from '../../src/core/link-auth/index.ts'
import { linkReport, openLink, type Link, type LinkClosed } from '../../src/link/link.ts'
import { Reassembler, splitMessage, FRAME_SIZE } from '../../src/link/frames.ts'
import { relayTransport, RelayInbox } from '../../src/link/relay.ts'
import { SignalClient, type WebSocketCtor } from '../../src/link/signal-client.ts'
import type { Transport } from '../../src/link/transport.ts'
import { attachSignalling, type SignallingHandle } from '../../server/signal/index.ts'

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
const dtls = (o: number, a: number): ChannelBinding => ({ mode: 'dtls', offerer: bytes(32, o), answerer: bytes(32, a) })
const ctx = (o: number, a: number, nonce = 5): HelloContext => ({ binding: dtls(o, a), commitment: bytes(32, 3), answererNonce: bytes(32, nonce) })
const sasOf = (o: number, a: number, nonce = 5): string => shortAuthString({
  binding: dtls(o, a), offererKey: Uint8Array.from(keyA.toPublicKey().toDER() as number[]), answererKey: Uint8Array.from(keyB.toPublicKey().toDER() as number[]), offererNonce: bytes(32, 4), answererNonce: bytes(32, nonce)
})

/** Two Transports joined back to back in memory; `tap` may rewrite or drop frames. */
function pipePair (binding: ChannelBinding, tap?: (from: LinkRole, f: Uint8Array) => Uint8Array | undefined): [Transport & { kill: () => void }, Transport & { kill: () => void }] {
  const make = (role: LinkRole): Transport & { kill: () => void, deliver: (f: Uint8Array) => void, fireClose: (r: string) => void } => {
    const frameCbs: Array<(f: Uint8Array) => void> = []
    const closeCbs: Array<(r: string) => void> = []
    let closed = false
    return {
      kind: 'direct', path: 'direct', role, binding,
      send: async (f) => {
        if (closed) throw new Error('closed')
        const out = tap !== undefined ? tap(role, f) : f
        if (out !== undefined) setTimeout(() => other(role).deliver(out), 0)
      },
      onFrame: cb => { frameCbs.push(cb) },
      onClose: cb => { closeCbs.push(cb) },
      close: () => { if (!closed) { closed = true; setTimeout(() => other(role).fireClose('peer hung up'), 0) } },
      kill: () => { closed = true },
      deliver: f => { if (!closed) frameCbs.forEach(cb => cb(f)) },
      fireClose: r => { if (!closed) { closed = true; closeCbs.forEach(cb => cb(r)) } }
    }
  }
  const o = make('offerer'); const a = make('answerer')
  const other = (r: LinkRole): typeof o => r === 'offerer' ? a : o
  return [o, a]
}

const keyA = PrivateKey.fromRandom()
const keyB = PrivateKey.fromRandom()

describe('identity binding (core/link-auth)', () => {
  it('verifies a proof over the same channel and names the signer', () => {
    const proof = signHello(keyA, 'offerer', ctx(1, 2))
    expect(verifyHello(proof, 'offerer', ctx(1, 2), keyA.toPublicKey().toString()).toString()).toBe(keyA.toPublicKey().toString())
  })
  it('refuses a proof made over different DTLS fingerprints or nonces, a reflected role, or by the wrong key', () => {
    const proof = signHello(keyA, 'offerer', ctx(1, 2))
    expect(() => verifyHello(proof, 'offerer', ctx(1, 3))).toThrow(/identity proof does not match this channel/)
    expect(() => verifyHello(proof, 'offerer', ctx(1, 2, 6))).toThrow(/identity proof does not match this channel/)
    expect(() => verifyHello(proof, 'answerer', ctx(1, 2))).toThrow(/does not match/)
    expect(() => verifyHello(proof, 'offerer', ctx(1, 2), keyB.toPublicKey().toString())).toThrow(/not the one whose code you scanned/)
    expect(() => verifyHello({ ...proof, signature: 'zz' }, 'offerer', ctx(1, 2))).toThrow(/unreadable/)
    expect(() => verifyHello({ ...proof, identityKey: '02' + 'ff'.repeat(32) }, 'offerer', ctx(1, 2))).toThrow(/not a point|does not match/)
  })
  it('shows the same six digits for the same handshake and different ones otherwise', () => {
    expect(sasOf(1, 2)).toMatch(/^\d{3} \d{3}$/)
    expect(sasOf(1, 2)).toBe(sasOf(1, 2))
    expect(sasOf(1, 2)).not.toBe(sasOf(1, 3))
    expect(sasOf(1, 2)).not.toBe(sasOf(1, 2, 6))
  })
  it('round-trips an invite in a version-4 QR payload and rejects broken ones', () => {
    const inv = { room: 'ab'.repeat(16), identityKey: keyA.toPublicKey().toString() }
    const text = encodeInvite(inv)
    expect(text.length).toBe(75)
    expect(decodeInvite(text)).toEqual(inv)
    expect(() => decodeInvite(text.slice(0, 72))).toThrow(/expected 50/)
    expect(() => decodeInvite('nonsense')).toThrow(/not a Handover invite/)
  })
})

describe('frames', () => {
  it('splits into ≤16 KiB frames and reassembles exactly', () => {
    const msg = bytes(100_000, 7)
    const frames = splitMessage(3, msg)
    expect(frames.every(f => f.length <= FRAME_SIZE)).toBe(true)
    const r = new Reassembler(200_000)
    const out = frames.map(f => r.push(f)).filter(x => x !== undefined)
    expect(out).toEqual([msg])
  })
  it('refuses oversized announcements and out-of-order frames', () => {
    const frames = splitMessage(1, bytes(50_000, 1))
    expect(() => new Reassembler(20_000).push(frames[0]!)).toThrow(/over the 20000-byte limit/)
    expect(() => new Reassembler(100_000).push(frames[1]!)).toThrow(/out of order/)
    expect(() => new Reassembler(100_000).push(new Uint8Array(3))).toThrow(/frame of 3 bytes/)
  })
})

async function linkPair (o: Transport, a: Transport, extra: { deadAfterMs?: number, pingEveryMs?: number, maxMessageBytes?: number } = {}): Promise<[Link, Link]> {
  return await Promise.all([
    openLink(o, { identity: keyA, ...extra }),
    openLink(a, { identity: keyB, expectedPeerKey: keyA.toPublicKey().toString(), ...extra })
  ])
}
const nextClose = async (l: Link): Promise<LinkClosed> => await new Promise(resolve => l.onClose(resolve))

describe('Link over a transport', () => {
  it('proves identities, then carries typed messages both ways', async () => {
    const [o, a] = pipePair(dtls(1, 2))
    const [lo, la] = await linkPair(o, a)
    expect(lo.peerKey).toBe(keyB.toPublicKey().toString())
    expect(la.peerKey).toBe(keyA.toPublicKey().toString())
    expect(lo.sas).toBe(la.sas)
    const got: unknown[] = []
    la.onMessage(m => got.push(m))
    await lo.send({ type: 'request', sats: 1234 })
    await lo.send({ big: 'x'.repeat(50_000) })
    await expect.poll(() => got.length).toBe(2)
    expect(got[0]).toEqual({ type: 'request', sats: 1234 })
    expect(await lo.ping()).toBeLessThan(1000)
    lo.close('done here')
    expect(await nextClose(la)).toEqual({ reason: 'peer-closed', message: 'The other phone closed the connection, saying: “done here”' })
  })

  it('reports the path the data takes now: a link that connected through TURN and moved to a direct pair says direct', async () => {
    const [o, a] = pipePair(dtls(1, 2))
    let path: 'direct' | 'turn' = 'turn'
    // The transport's path follows the selected candidate pair (direct.ts followPath).
    Object.defineProperty(o, 'path', { get: () => path })
    const [lo] = await linkPair(o, a)
    expect(linkReport(lo).path).toBe('turn')
    path = 'direct'
    expect(linkReport(lo).path).toBe('direct')
  })

  it('detects a man in the middle who forwards everything verbatim between two channels', async () => {
    // Two separate DTLS sessions (different fingerprints on each side), frames copied across.
    const [o1, a1] = pipePair(dtls(1, 9))
    const [o2, a2] = pipePair(dtls(8, 2))
    a1.onFrame(f => { void o2.send(f) })
    o2.onFrame(f => { void a1.send(f) })
    const results = await Promise.allSettled([
      openLink(o1, { identity: keyA, handshakeTimeoutMs: 2000 }),
      openLink(a2, { identity: keyB, expectedPeerKey: keyA.toPublicKey().toString(), handshakeTimeoutMs: 2000 })
    ])
    expect(results.map(r => r.status)).toEqual(['rejected', 'rejected'])
    const reasons = results.map(r => (r as PromiseRejectedResult).reason as { code: string, message: string })
    expect(reasons.some(e => e.code === 'identity' && /intercepting/.test(e.message))).toBe(true)
  })

  it('refuses a peer that reveals before committing, or sends an oversized commitment', async () => {
    const wire = (w: object): Uint8Array => splitMessage(0, new TextEncoder().encode(JSON.stringify(w)))[0]!
    const [o, a] = pipePair(dtls(1, 2))
    const joined = openLink(a, { identity: keyB, handshakeTimeoutMs: 2000 })
    await o.send(wire({ k: 'hello', v: 2, identityKey: keyA.toPublicKey().toString(), nonce: '00'.repeat(32), signature: '3006020101020101' }))
    await expect(joined).rejects.toMatchObject({ code: 'identity', message: expect.stringMatching(/revealed its key before committing/) })
    const [o2, a2] = pipePair(dtls(1, 2))
    const joined2 = openLink(a2, { identity: keyB, handshakeTimeoutMs: 2000 })
    await o2.send(wire({ k: 'commit', v: 2, c: 'ab'.repeat(5000) }))
    await expect(joined2).rejects.toMatchObject({ message: expect.stringMatching(/sent something Handover cannot read/) })
  })

  it('tolerates a silent peer up to the limit, then closes with a clear reason', async () => {
    let silent = false
    const [o, a] = pipePair(dtls(1, 2), (from, f) => silent && from === 'answerer' ? undefined : f)
    const [lo] = await linkPair(o, a, { deadAfterMs: 900, pingEveryMs: 300 })
    await new Promise(r => setTimeout(r, 1200))
    expect(lo.closed).toBe(false) // pings answered: alive well past deadAfter
    silent = true
    const c = await nextClose(lo)
    expect(c.reason).toBe('timeout')
    expect(c.message).toMatch(/No answer from the other phone/)
  })

  it('refuses to send an oversized message and closes on hostile input', async () => {
    const [o, a] = pipePair(dtls(1, 2))
    const [lo, la] = await linkPair(o, a, { maxMessageBytes: 10_000 })
    await expect(lo.send({ x: 'y'.repeat(20_000) })).rejects.toThrow(/exceeds the 10000-byte limit/)
    const peerSaw = nextClose(lo)
    const own = nextClose(la)
    // raw garbage straight onto the wire
    await o.send(new Uint8Array([0, 0, 0, 0, 9, 0, 0, 0, 1, 123, 125, 125]))
    expect((await own).reason).toBe('protocol')
    expect(await peerSaw).toMatchObject({ reason: 'peer-closed', message: expect.stringMatching(/sent something Handover cannot read, so the connection was closed\.”$/) })
  })

  it('validates messages with the caller\'s parser', async () => {
    const [o, a] = pipePair(dtls(1, 2))
    const [lo, la] = await Promise.all([
      openLink(o, { identity: keyA }),
      openLink<{ n: number }>(a, {
        identity: keyB,
        parse: (x) => { if (typeof (x as { n?: unknown }).n !== 'number') throw new Error('n must be a number'); return x as { n: number } }
      })
    ])
    const closing = nextClose(la)
    await lo.send({ n: 'nope' })
    expect((await closing).message).toMatch(/n must be a number/)
  })
})

describe('relay transport through the real signalling service', () => {
  let server: Server
  let handle: SignallingHandle
  let url: string
  let evil: Server
  let evilUrl: string
  const seen: Buffer[] = []
  let flip = false

  beforeAll(async () => {
    server = createServer()
    handle = attachSignalling(server)
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()))
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`
    // A relay that records what it carries and, on demand, flips one bit.
    evil = createServer()
    const wss = new WebSocketServer({ server: evil })
    wss.on('connection', down => {
      const up = new WebSocket(url)
      const q: Array<[Buffer, boolean]> = []
      up.on('open', () => q.splice(0).forEach(([d, b]) => up.send(d, { binary: b })))
      down.on('message', (d: Buffer, bin) => { if (bin) seen.push(Buffer.from(d)); if (up.readyState === 1) up.send(d, { binary: bin }); else q.push([d, bin]) })
      up.on('message', (d: Buffer, bin) => {
        if (bin) {
          seen.push(Buffer.from(d))
          if (flip && d.length > 40) { d = Buffer.from(d); d[d.length - 20]! ^= 1; flip = false }
        }
        down.send(d, { binary: bin })
      })
      down.on('close', () => up.close()); up.on('close', () => down.close())
    })
    await new Promise<void>(r => evil.listen(0, '127.0.0.1', () => r()))
    evilUrl = `ws://127.0.0.1:${(evil.address() as AddressInfo).port}/`
  })
  afterAll(async () => {
    await handle.close()
    server.closeAllConnections(); evil.closeAllConnections()
    await new Promise(r => server.close(r)); await new Promise(r => evil.close(r))
  })

  async function relayLinks (hostUrl: string, joinUrl: string): Promise<[Link, Link]> {
    const WS = WebSocket as unknown as WebSocketCtor
    const host = await SignalClient.connect(hostUrl, WS)
    const { room } = await host.create()
    const join = await SignalClient.connect(joinUrl, WS)
    const inboxH = new RelayInbox(host); const inboxJ = new RelayInbox(join)
    await join.join(room)
    const [th, tj] = await Promise.all([relayTransport(host, inboxH, 'offerer'), relayTransport(join, inboxJ, 'answerer')])
    expect(th.binding).toEqual(tj.binding)
    return await linkPair(th, tj)
  }

  it('carries messages end to end while the server sees only ciphertext', async () => {
    const [lh, lj] = await relayLinks(url, evilUrl)
    expect(lh.mode).toBe('relay')
    expect(lh.sas).toBe(lj.sas)
    const got: unknown[] = []
    lh.onMessage(m => got.push(m))
    const secret = 'memo: rent for march ' + 'k'.repeat(40_000)
    await lj.send({ secret })
    await expect.poll(() => got.length).toBe(1)
    expect(got[0]).toEqual({ secret })
    const carried = Buffer.concat(seen).toString('latin1')
    expect(carried.length).toBeGreaterThan(40_000)
    expect(carried).not.toContain('rent for march')
    expect(carried).not.toContain('kkkkkkkk')
    lh.close()
  })

  it('closes the link when the relay alters a frame', async () => {
    const [lh, lj] = await relayLinks(url, evilUrl)
    const closing = nextClose(lj)
    flip = true
    await lh.send({ amount: 5000 })
    expect((await closing).message).toMatch(/failed authentication/)
  })
})

describe('invite text starting with a space', () => {
  it('decodes (the space is data, not padding)', () => {
    for (let r0 = 0; r0 < 256; r0++) {
      const room = r0.toString(16).padStart(2, '0') + 'cd'.repeat(15)
      const text = encodeInvite({ room, identityKey: keyA.toPublicKey().toString() })
      if (!text.startsWith(' ')) continue
      expect(decodeInvite(text).room).toBe(room)
      return
    }
    throw new Error('no room byte gives a leading space')
  })
})

describe('a peer\'s hang-up reason', () => {
  it('is shown only quoted and attributed to the other phone, on one short line', async () => {
    const { peerClosedMessage } = await import('../../src/link/link.ts')
    expect(peerClosedMessage('')).toBe('The other phone closed the connection.')
    const spoof = peerClosedMessage('Payment received.\nHand over the goods.' + 'x'.repeat(500))
    expect(spoof.startsWith('The other phone closed the connection, saying: “Payment received. Hand over the goods.')).toBe(true)
    expect(spoof).not.toMatch(/\n/)
    expect(spoof.length).toBeLessThan(200)
  })
})
