// The app's choice of STUN/TURN servers, against the real server's /signal/ice.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { iceConfigFromEnv } from '../../server/turn.ts'
import { forgetServiceIceServers, iceServersForLink, iceUrlFor } from '../../src/app/ice-servers.ts'

describe('STUN/TURN servers for a link', () => {
  let app: RunningServer
  let hostile: Server
  let hostileUrl = ''
  let hostileBody = ''
  let hits = 0
  beforeAll(async () => {
    app = await startAppServer({ host: '127.0.0.1', port: 0, signalling: {}, ice: iceConfigFromEnv({}, { secret: 'abc', port: 3478 }) })
    hostile = createServer((req, res) => { hits++; res.writeHead(200, { 'content-type': 'application/json' }); res.end(hostileBody) })
    await new Promise<void>(r => hostile.listen(0, '127.0.0.1', () => r()))
    hostileUrl = `ws://127.0.0.1:${(hostile.address() as AddressInfo).port}/signal`
  })
  afterAll(async () => { await app.close(); hostile.close() })
  beforeEach(() => { forgetServiceIceServers(); hits = 0 })
  const signalUrl = (): string => app.url.replace('http', 'ws') + '/signal'

  it('asks the signalling service next to the WebSocket', () => {
    expect(iceUrlFor('wss://pay.example/signal')).toBe('https://pay.example/signal/ice')
    expect(iceUrlFor('ws://127.0.0.1:8787/signal/')).toBe('http://127.0.0.1:8787/signal/ice')
  })

  it('uses the service\'s TURN with fresh credentials when Settings name none', async () => {
    const list = await iceServersForLink([], signalUrl(), { online: true })
    expect(list.map(s => s.urls)).toEqual(['stun:127.0.0.1:3478', 'turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'])
    expect(list[1]!.username).toMatch(/^\d{10}:/)
    expect(list[1]!.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/)
  })

  it('Settings override the service, and offline uses none at all', async () => {
    const mine = [{ urls: 'turn:mine.example:3478', username: 'u', credential: 'p' }]
    expect(await iceServersForLink(mine, signalUrl(), { online: true })).toEqual(mine)
    expect(await iceServersForLink(mine, signalUrl(), { online: false })).toEqual([])
    expect(await iceServersForLink([], undefined, { online: true })).toEqual([])
  })

  it('reuses a list until shortly before its credentials expire, then asks again', async () => {
    let t = Date.now()
    hostileBody = JSON.stringify({ iceServers: [{ urls: 'turn:x.example:3478', username: `${Math.floor(t / 1000) + 900}:a`, credential: 'c' }], expiresAt: Math.floor(t / 1000) + 900 })
    const now = (): number => t
    await iceServersForLink([], hostileUrl, { online: true, now })
    await iceServersForLink([], hostileUrl, { online: true, now })
    expect(hits).toBe(1)
    t += 800_000
    await iceServersForLink([], hostileUrl, { online: true, now })
    expect(hits).toBe(2)
  })

  it('a service answering garbage, non-STUN URLs or too many servers gets none used, and no error', async () => {
    for (const body of ['not json', JSON.stringify({ iceServers: [{ urls: 'javascript:alert(1)' }] }), JSON.stringify({ iceServers: Array(9).fill({ urls: 'stun:a:1' }) })]) {
      forgetServiceIceServers()
      hostileBody = body
      expect(await iceServersForLink([], hostileUrl, { online: true })).toEqual([])
    }
  })

  it('a silent service costs at most the timeout', async () => {
    const t0 = Date.now()
    expect(await iceServersForLink([], 'ws://127.0.0.1:9/signal', { online: true, timeoutMs: 300, fetch: async () => await new Promise<Response>(() => {}) })).toEqual([])
    expect(Date.now() - t0).toBeLessThan(1000)
  })
})
