// TURN credentials against a real coturn: our signalling server hands out credentials,
// coturn (started here on loopback with a temporary config and a random port) relays for
// them, and refuses a wrong secret, an expired credential, or a username whose expiry
// was pushed forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { coturnConfig, coturnInstalled, iceConfigFromEnv, iceServersFor, requestHost, startCoturn, turnCredential, type RunningCoturn } from '../../server/turn.ts'
import { turnAllocate } from '../helpers/turn-client.ts'

describe('TURN REST credentials (pure)', () => {
  it('follows coturn\'s scheme: username "<expiry>:<id>", password base64(HMAC-SHA1(secret, username))', () => {
    // Vector computed independently: printf '1700000600:abc' | openssl dgst -sha1 -hmac secret -binary | base64
    const c = turnCredential('secret', 600, 1_700_000_000_000, 'abc')
    expect(c.username).toBe('1700000600:abc')
    expect(c.expiresAt).toBe(1_700_000_600)
    expect(c.credential).toBe('938t0wY0kHdWFI0EWiShFAB+qL8=')
  })

  it('fills the host the phone reached us by into the URLs, and rejects a Host header that would smuggle another URL in', () => {
    const cfg = iceConfigFromEnv({}, { secret: 'x', port: 3478 })
    const { iceServers, expiresAt } = iceServersFor(cfg, 'pay.example', 1_700_000_000_000)
    expect(iceServers.map(s => s.urls)).toEqual(['stun:pay.example:3478', 'turn:pay.example:3478?transport=udp', 'turn:pay.example:3478?transport=tcp'])
    expect(iceServers[1]!.username).toMatch(/^1700000900:[0-9a-f]{12}$/)
    expect(expiresAt).toBe(1_700_000_900)
    expect(requestHost('pay.example:8787')).toBe('pay.example')
    expect(requestHost('[::1]:8787')).toBe('[::1]')
    expect(requestHost('evil.example turn:attacker')).toBeUndefined()
    expect(requestHost('a?transport=tcp')).toBeUndefined()
  })

  it('refuses a config that would hand out garbage or live forever', () => {
    expect(() => iceConfigFromEnv({ HANDOVER_TURN_TTL_S: '999999' })).toThrow(/between 60 and 86400/)
    expect(() => iceConfigFromEnv({ HANDOVER_TURN_URLS: 'http://x' })).toThrow(/not a STUN or TURN URL/)
  })

  it('a public TURN server never relays into private or loopback ranges', () => {
    const conf = coturnConfig({ secret: 's', port: 3478 })
    expect(conf).toContain('use-auth-secret')
    expect(conf).toContain('denied-peer-ip=10.0.0.0-10.255.255.255')
    expect(conf).toContain('denied-peer-ip=127.0.0.0-127.255.255.255')
    expect(conf).not.toContain('allow-loopback-peers')
  })
})

describe.skipIf(!coturnInstalled())('TURN credentials against a real coturn', () => {
  let turn: RunningCoturn
  let app: RunningServer
  const secret = 'lab-secret-' + Math.random().toString(36).slice(2)

  beforeAll(async () => {
    turn = await startCoturn({ secret, listen: ['127.0.0.1'], peers: 'loopback', minPort: 40000, maxPort: 40999 })
    app = await startAppServer({
      host: '127.0.0.1', port: 0, signalling: {},
      ice: iceConfigFromEnv({}, { secret, port: turn.port })
    })
  })
  afterAll(async () => { await app?.close(); await turn?.close() })

  async function fromServer (): Promise<{ iceServers: Array<{ urls: string, username?: string, credential?: string }>, expiresAt: number }> {
    const r = await fetch(`${app.url}/signal/ice`)
    expect(r.status).toBe(200)
    expect(r.headers.get('cache-control')).toBe('no-store')
    return await r.json() as never
  }

  it('credentials from our server allocate a relay on coturn', async () => {
    const { iceServers, expiresAt } = await fromServer()
    const t = iceServers.find(s => s.urls.startsWith('turn:') && s.urls.endsWith('udp'))!
    expect(t.urls).toBe(`turn:127.0.0.1:${turn.port}?transport=udp`)
    expect(expiresAt * 1000 - Date.now()).toBeGreaterThan(800_000)
    const r = await turnAllocate('127.0.0.1', turn.port, t.username!, t.credential!)
    expect(r).toMatchObject({ ok: true })
    if (r.ok) expect(r.relayed).toMatch(/^127\.0\.0\.1:40\d{3}$/)
  })

  it('refuses credentials made with another secret', async () => {
    const c = turnCredential('not-the-secret', 600)
    expect(await turnAllocate('127.0.0.1', turn.port, c.username, c.credential)).toMatchObject({ ok: false, code: 401 })
  })

  it('refuses an expired credential', async () => {
    const c = turnCredential(secret, 60, Date.now() - 120_000)
    expect(await turnAllocate('127.0.0.1', turn.port, c.username, c.credential)).toMatchObject({ ok: false, code: 401 })
  })

  it('refuses a valid credential whose username was edited to live longer', async () => {
    const { iceServers } = await fromServer()
    const t = iceServers.find(s => s.urls.startsWith('turn:'))!
    const [exp, id] = t.username!.split(':')
    const stretched = `${Number(exp) + 86_400}:${id}`
    expect(await turnAllocate('127.0.0.1', turn.port, stretched, t.credential!)).toMatchObject({ ok: false, code: 401 })
  })

  it('rate-limits credential requests per address, so nobody farms relay tickets', async () => {
    const codes: number[] = []
    for (let i = 0; i < 40; i++) codes.push((await fetch(`${app.url}/signal/ice`)).status)
    expect(codes).toContain(429)
  })
})
