import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { buildHarness, serveHarness, type HarnessServer } from './link-harness/serve.ts'
import { launchPhone, pointCamera, type Phone } from './link-harness/browser.ts'
import { blackholeProxy, type BlackholeProxy } from './link-harness/blackhole-proxy.ts'
import { startTurn, TURNSERVER } from './link-harness/turn-server.ts'
import { existsSync } from 'node:fs'

let built: { dir: string, cleanup: () => void }
let srv: HarnessServer
let tmp: string
let a: Phone
let b: Phone

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'link-invite-'))
  built = await buildHarness()
  srv = await serveHarness(built.dir)
  a = await launchPhone(srv.url)
  b = await launchPhone(srv.url, { camera: join(tmp, 'b.y4m') })
})
afterAll(async () => {
  for (const p of [a, b]) await p?.browser.close()
  await srv?.close()
  built?.cleanup()
  rmSync(tmp, { recursive: true, force: true })
})

async function fresh (p: Phone): Promise<void> {
  await p.page.reload()
  await p.page.waitForFunction(() => window.h !== undefined)
}

describe('one-scan invite through the signalling service', () => {
  it('connects directly after the payer scans the payee\'s invite', async () => {
    await fresh(a); await fresh(b)
    const keyA = await a.page.evaluate(() => window.h.setIdentity())
    const keyB = await b.page.evaluate(() => window.h.setIdentity())
    const inv = await a.page.evaluate(async (u) => await window.h.hostInvite(u), srv.signalUrl)
    expect(inv.version).toBeLessThanOrEqual(5)
    await pointCamera(a.page, b.camera!, join(tmp, 'invite.png'))
    const linkB = await b.page.evaluate(async (u) => await window.h.scanInviteAndJoin(u), srv.signalUrl)
    if ('error' in linkB) throw new Error(linkB.error)
    const linkA = await a.page.evaluate(async () => await window.h.waitLink())
    if ('error' in linkA) throw new Error(linkA.error)
    expect(linkB.mode).toBe('direct')
    // what the connected screen and the network lab read: phone to phone, and how long it took
    expect(linkB.path).toBe('direct')
    expect(linkA.path).toBe('direct')
    expect(linkB.connectMs).toBeGreaterThan(0)
    expect(linkB.fallback).toBeUndefined()
    expect(linkB.peerKey).toBe(keyA)
    expect(linkA.peerKey).toBe(keyB)
    expect(linkA.sas).toBe(linkB.sas)
    await b.page.evaluate(async () => { await window.h.send({ pay: 1 }) })
    expect(await a.page.evaluate(async () => await window.h.waitMessage())).toEqual({ pay: 1 })
    // the room is released once the direct link stands
    await expect.poll(() => srv.signalling.stats().rooms).toBe(0)

    // Hang up, then pair again: the same identity comes back, so a payment can resume by id.
    await a.page.evaluate(() => window.h.close())
    expect(await b.page.evaluate(async () => await window.h.waitClose())).toMatchObject({ reason: 'peer-closed' })
    const again = await a.page.evaluate(async (u) => await window.h.hostInvite(u), srv.signalUrl)
    const relinkB = await b.page.evaluate(async ([t, u]) => await window.h.joinInvite(t!, u!), [again.text, srv.signalUrl])
    if ('error' in relinkB) throw new Error(relinkB.error)
    expect(relinkB.peerKey).toBe(keyA)
    expect(relinkB.sas).not.toBe(linkB.sas) // new channel, new keys
  })

  it('falls back to the end-to-end encrypted relay when ICE cannot connect', async () => {
    // Phone B may only use relayed ICE candidates and has no TURN server, so WebRTC
    // genuinely fails (as on a network that blocks peer-to-peer UDP).
    const noUdp = b
    await fresh(a); await fresh(noUdp)
    const keyA = await a.page.evaluate(() => window.h.setIdentity())
    await noUdp.page.evaluate(() => window.h.setIdentity())
    // default timing: no address to try is evidence enough, no timer is waited out
    const inv = await a.page.evaluate(async (u) => await window.h.hostInvite(u), srv.signalUrl)
    const linkB = await noUdp.page.evaluate(async ([t, u]) => await window.h.joinInvite(t!, u!, { iceTransportPolicy: 'relay' }), [inv.text, srv.signalUrl])
    if ('error' in linkB) throw new Error(linkB.error)
    const linkA = await a.page.evaluate(async () => await window.h.waitLink())
    if ('error' in linkA) throw new Error(linkA.error)
    expect(linkB.mode).toBe('relay')
    expect(linkA.mode).toBe('relay')
    expect(linkB.path).toBe('relay')
    // B had no address to try at all: it switched on that evidence, A followed B
    expect(linkB.fallback).toBe('no-candidates')
    expect(linkA.fallback).toBe('peer')
    expect(linkB.peerKey).toBe(keyA)
    expect(linkA.sas).toBe(linkB.sas)
    const big = 'q'.repeat(60_000)
    await noUdp.page.evaluate(async (s) => { await window.h.send({ beef: s }) }, big)
    expect(await a.page.evaluate(async () => await window.h.waitMessage())).toEqual({ beef: big })
    const rtts = await a.page.evaluate(async () => await window.h.echoRtts(5, 200))
    expect(rtts).toHaveLength(5)
  })
})

describe('phones whose addresses do not reach each other (two NATs, symmetric NAT)', () => {
  let proxy: BlackholeProxy
  let proxyUrl: string
  beforeAll(async () => { proxy = await blackholeProxy(srv.signalUrl); proxyUrl = proxy.url })
  afterAll(async () => { await proxy?.close() })

  it('switch to the encrypted relay on the evidence (no STUN response), not after the 6 s timer', async () => {
    await fresh(a); await fresh(b)
    const keyA = await a.page.evaluate(() => window.h.setIdentity())
    await b.page.evaluate(() => window.h.setIdentity())
    // default options: the 6 s cap applies only while checks are being answered
    const inv = await a.page.evaluate(async (u) => await window.h.hostInvite(u), proxyUrl)
    const linkB = await b.page.evaluate(async ([t, u]) => await window.h.joinInvite(t!, u!), [inv.text, proxyUrl])
    if ('error' in linkB) throw new Error(linkB.error)
    const linkA = await a.page.evaluate(async () => await window.h.waitLink())
    if ('error' in linkA) throw new Error(linkA.error)
    expect(linkB.path).toBe('relay')
    expect(linkA.path).toBe('relay')
    expect(linkB.peerKey).toBe(keyA)
    expect(linkA.sas).toBe(linkB.sas)
    // each phone saw the silence and switched (or followed the one that saw it first):
    // never the 6 s timer
    for (const r of [linkA.fallback, linkB.fallback]) expect(r).toMatch(/^(no-response|ice-failed|peer)$/)
    expect([linkA.fallback, linkB.fallback].some(r => r === 'no-response' || r === 'ice-failed')).toBe(true)
    // the relay carries the payment
    await b.page.evaluate(async () => { await window.h.send({ pay: 2 }) })
    expect(await a.page.evaluate(async () => await window.h.waitMessage())).toEqual({ pay: 2 })
    await a.page.evaluate(() => window.h.close())
  })
})

describe.skipIf(!existsSync(TURNSERVER))('through a TURN server (coturn)', () => {
  it('connects through TURN when only relayed candidates may be used, and says so', async () => {
    const turn = await startTurn()
    if (turn === undefined) throw new Error('coturn is installed but did not start')
    try {
      await fresh(a); await fresh(b)
      await a.page.evaluate(() => window.h.setIdentity())
      await b.page.evaluate(() => window.h.setIdentity())
      // relay-only ICE, as on a network that lets no peer-to-peer UDP through
      const o = { iceServers: turn.iceServers, iceTransportPolicy: 'relay' as const }
      const inv = await a.page.evaluate(async ([u, opts]) => await window.h.hostInvite(u as string, opts as object), [srv.signalUrl, o] as const)
      const linkB = await b.page.evaluate(async ([t, u, opts]) => await window.h.joinInvite(t as string, u as string, opts as object), [inv.text, srv.signalUrl, o] as const)
      if ('error' in linkB) throw new Error(linkB.error)
      const linkA = await a.page.evaluate(async () => await window.h.waitLink())
      if ('error' in linkA) throw new Error(linkA.error)
      // WebRTC, not our relay, and the selected pair is a TURN relay candidate
      expect(linkB.mode).toBe('direct')
      expect(linkB.path).toBe('turn')
      expect(linkA.path).toBe('turn')
      await b.page.evaluate(async () => { await window.h.send({ pay: 3 }) })
      expect(await a.page.evaluate(async () => await window.h.waitMessage())).toEqual({ pay: 3 })
      await a.page.evaluate(() => window.h.close())
    } finally { await turn.close() }
  })
})

describe('a signalling server that swaps the peer', () => {
  let evil: Server
  let evilUrl: string
  const redirect = new Map<string, string>()

  beforeAll(async () => {
    // Sits between the phones and the real service and reroutes a join to the
    // attacker's own room, so the joiner negotiates with the attacker instead.
    evil = createServer()
    const wss = new WebSocketServer({ server: evil, path: '/signal' })
    wss.on('connection', down => {
      const up = new WebSocket(srv.signalUrl)
      const queue: Array<[WebSocket.RawData, boolean]> = []
      up.on('open', () => { queue.splice(0).forEach(([d, bin]) => up.send(d, { binary: bin })) })
      down.on('message', (d, bin) => {
        let out: WebSocket.RawData | string = d
        if (!bin) {
          const m = JSON.parse(String(d)) as { t: string, room?: string }
          if (m.t === 'join' && m.room !== undefined && redirect.has(m.room)) out = JSON.stringify({ ...m, room: redirect.get(m.room) })
        }
        if (up.readyState === WebSocket.OPEN) up.send(out, { binary: bin }); else queue.push([out as WebSocket.RawData, bin])
      })
      up.on('message', (d, bin) => { down.send(d, { binary: bin }) })
      down.on('close', () => up.close()); up.on('close', () => down.close())
      up.on('error', () => {}); down.on('error', () => {})
    })
    await new Promise<void>(r => evil.listen(0, '127.0.0.1', () => r()))
    evilUrl = `ws://127.0.0.1:${(evil.address() as AddressInfo).port}/signal`
  })
  afterAll(async () => {
    evil.closeAllConnections()
    await new Promise<void>(r => evil.close(() => r()))
  })

  for (const mode of ['direct', 'relay'] as const) {
    it(`is caught and the link refused (${mode})`, async () => {
      await fresh(a); await fresh(b)
      const attacker = await a.browser.newPage()
      await attacker.goto(srv.url)
      await attacker.waitForFunction(() => window.h !== undefined)
      try {
        await a.page.evaluate(() => window.h.setIdentity())
        await b.page.evaluate(() => window.h.setIdentity())
        await attacker.evaluate(() => window.h.setIdentity())
        const opts = mode === 'relay' ? { iceTransportPolicy: 'relay' as const, directTimeoutMs: 1500 } : {}
        const real = await a.page.evaluate(async ([u, o]) => await window.h.hostInvite(u as string, o as object), [srv.signalUrl, opts] as const)
        await attacker.evaluate(async ([u, o]) => await window.h.hostInvite(u as string, o as object), [srv.signalUrl, opts] as const)
        redirect.set(await a.page.evaluate(() => window.h.inviteRoom()), await attacker.evaluate(() => window.h.inviteRoom()))
        const res = await b.page.evaluate(async ([t, u, o]) => await window.h.joinInvite(t as string, u as string, o as object), [real.text, evilUrl, opts] as const)
        expect(res).toMatchObject({ code: 'identity', error: expect.stringMatching(/not the one whose code you scanned/) })
        // the attacker's side is hung up on with the reason, not left with a working link
        const atk = await attacker.evaluate(async () => await window.h.waitClose(10_000))
        expect(atk).toMatchObject({ reason: 'peer-closed', message: expect.stringMatching(/intercepting/) })
      } finally {
        redirect.clear()
        await attacker.close()
      }
    })
  }
})
