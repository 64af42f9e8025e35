import { createServer, type Server } from 'node:http'
import WebSocket from 'ws'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { attachSignalling, clientAddress, trustProxyHops, type SignallingHandle, type SignallingOptions } from '../../server/signal/index.ts'
import { startRedis, TestClient, type RedisProc } from '../e2e/link-harness/node-helpers.ts'
import { MAX_RELAY_FRAME } from '../../src/link/signal-protocol.ts'

interface Running { url: string, handle: SignallingHandle, server: Server, stop: () => Promise<void> }

async function startSignal (opts: SignallingOptions = {}): Promise<Running> {
  const server = createServer((_req, res) => { res.writeHead(404); res.end() })
  const handle = attachSignalling(server, opts)
  await handle.ready
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}/signal`,
    handle,
    server,
    stop: async () => {
      await handle.close()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

const clients: TestClient[] = []
const client = async (url: string): Promise<TestClient> => {
  const c = new TestClient(url); clients.push(c); return await c.open()
}
afterEach(() => { clients.splice(0).forEach(c => c.close()) })

async function pair (urlA: string, urlB: string): Promise<[TestClient, TestClient, string]> {
  const a = await client(urlA)
  a.send({ t: 'create' })
  const created = await a.next()
  if (created.t !== 'created') throw new Error(JSON.stringify(created))
  const b = await client(urlB)
  b.send({ t: 'join', room: created.room })
  expect(await b.next()).toEqual({ t: 'joined', room: created.room })
  expect(await a.next()).toEqual({ t: 'peer-joined' })
  return [a, b, created.room]
}

describe('signalling service (one instance)', () => {
  let s: Running
  beforeAll(async () => { s = await startSignal({ roomOpsPerMinute: 600 }) })
  afterAll(async () => { await s.stop() })

  it('pairs two sockets by room id and passes signals and relay frames both ways', async () => {
    const [a, b] = await pair(s.url, s.url)
    a.send({ t: 'signal', data: { type: 'offer', sdp: 'v=0...' } })
    expect(await b.next()).toEqual({ t: 'signal', data: { type: 'offer', sdp: 'v=0...' } })
    b.send({ t: 'signal', data: { type: 'answer', sdp: 'v=0!' } })
    expect(await a.next()).toEqual({ t: 'signal', data: { type: 'answer', sdp: 'v=0!' } })
    const frame = Buffer.from(Array.from({ length: 16_400 }, (_, i) => i & 0xff))
    b.sendBinary(frame)
    expect(Buffer.compare(await a.nextBinary(), frame)).toBe(0)
    a.sendBinary(Buffer.from([1, 2, 3]))
    expect([...await b.nextBinary()]).toEqual([1, 2, 3])
  })

  it('tells the other side when a peer leaves or disconnects', async () => {
    const [a, b] = await pair(s.url, s.url)
    b.close()
    expect(await a.next()).toEqual({ t: 'peer-left' })
    // the room is gone: signals now bounce
    a.send({ t: 'signal', data: {} })
    expect(await a.next()).toMatchObject({ t: 'error', code: 'not-in-room' })
  })

  it('refuses unknown rooms and a third phone on a used invite', async () => {
    const x = await client(s.url)
    x.send({ t: 'join', room: '0'.repeat(32) })
    expect(await x.next()).toMatchObject({ t: 'error', code: 'room-not-found', message: expect.stringMatching(/ask for a fresh QR/) })
    const [, , room] = await pair(s.url, s.url)
    const third = await client(s.url)
    third.send({ t: 'join', room })
    expect(await third.next()).toMatchObject({ t: 'error', code: 'room-full' })
  })

  it('answers hostile input with clear errors and then hangs up', async () => {
    const x = await client(s.url)
    x.send('not json')
    expect(await x.next()).toMatchObject({ t: 'error', code: 'bad-message', message: 'Messages must be JSON.' })
    x.send({ t: 'join', room: '../../etc/passwd' })
    expect(await x.next()).toMatchObject({ t: 'error', code: 'bad-message', message: expect.stringMatching(/room id/) })
    x.send({ t: 'signal', data: { sdp: 'x' } })
    expect(await x.next()).toMatchObject({ t: 'error', code: 'not-in-room' })
    x.sendBinary(Buffer.from([1]))
    expect(await x.next()).toMatchObject({ t: 'error', code: 'not-in-room' })
    x.send({ t: 'create', extra: 1 })
    expect(await x.next()).toMatchObject({ t: 'error', code: 'bad-message' })
    expect((await x.closedWith()).code).toBe(1008)
  })

  it('cuts off oversized frames and signals', async () => {
    const [a, b] = await pair(s.url, s.url)
    a.send({ t: 'signal', data: { sdp: 'x'.repeat(9000) } })
    expect(await a.next()).toMatchObject({ t: 'error', code: 'too-large' })
    a.sendBinary(Buffer.alloc(MAX_RELAY_FRAME + 1))
    expect(await a.next()).toMatchObject({ t: 'error', code: 'too-large' })
    b.sendBinary(Buffer.alloc(200_000))
    expect((await b.closedWith()).code).toBe(1009)
  })
})

describe('signalling limits', () => {
  it('expires an invite nobody answered', async () => {
    const s = await startSignal({ inviteTtlMs: 300 })
    try {
      const a = await client(s.url)
      a.send({ t: 'create' })
      const created = await a.next()
      expect(await a.next(2000)).toMatchObject({ t: 'error', code: 'expired' })
      const b = await client(s.url)
      b.send({ t: 'join', room: (created as { room: string }).room })
      expect(await b.next()).toMatchObject({ t: 'error', code: 'room-not-found' })
    } finally { await s.stop() }
  })

  it('rate-limits room creation per client address and caps sockets per address', async () => {
    const s = await startSignal({ roomOpsPerMinute: 20, maxSocketsPerIp: 3 })
    try {
      const codes: string[] = []
      for (let i = 0; i < 8; i++) {
        const c = await client(s.url)
        c.send({ t: 'create' })
        codes.push((await c.next()).t === 'created' ? 'created' : 'limited')
        c.close()
        await c.closedWith()
      }
      expect(codes.slice(0, 5)).toEqual(Array(5).fill('created'))
      expect(codes).toContain('limited')
      await client(s.url); await client(s.url); await client(s.url)
      await expect(new TestClient(s.url).open()).rejects.toThrow(/503/)
    } finally { await s.stop() }
  })
})

describe('signalling heartbeat', () => {
  it('drops a socket that stops answering pings and keeps a live one', async () => {
    const s = await startSignal({ heartbeatMs: 150 })
    try {
      const live = await client(s.url)
      const dead = new WebSocket(s.url, { autoPong: false })
      const closed = new Promise<number>(resolve => dead.on('close', code => resolve(code)))
      await new Promise(r => dead.once('open', r))
      expect(await closed).toBe(1006) // terminated, no close handshake
      expect(live.closed).toBeUndefined()
      await expect.poll(() => s.handle.stats().sockets).toBe(1)
    } finally { await s.stop() }
  })
})

describe('signalling across instances through Redis', () => {
  let redis: RedisProc
  let one: Running
  let two: Running
  beforeAll(async () => {
    redis = await startRedis()
    one = await startSignal({ redisUrl: redis.url })
    two = await startSignal({ redisUrl: redis.url })
  })
  afterAll(async () => {
    await one?.stop(); await two?.stop(); await redis?.stop()
  })

  it('pairs a phone on instance one with a phone on instance two and relays both ways', async () => {
    expect(one.handle.instanceId).not.toBe(two.handle.instanceId)
    const [a, b] = await pair(one.url, two.url)
    a.send({ t: 'signal', data: { n: 1 } })
    expect(await b.next()).toEqual({ t: 'signal', data: { n: 1 } })
    b.send({ t: 'signal', data: { n: 2 } })
    expect(await a.next()).toEqual({ t: 'signal', data: { n: 2 } })
    const frame = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff))
    a.sendBinary(frame)
    expect(Buffer.compare(await b.nextBinary(), frame)).toBe(0)
    b.close()
    expect(await a.next()).toEqual({ t: 'peer-left' })
  })

  it('lets only one of two racing joiners on different instances in', async () => {
    const a = await client(one.url)
    a.send({ t: 'create' })
    const { room } = await a.next() as { room: string }
    const b = await client(one.url); const c = await client(two.url)
    b.send({ t: 'join', room }); c.send({ t: 'join', room })
    const results = [(await b.next()).t, (await c.next()).t].sort()
    expect(results).toEqual(['error', 'joined'])
  })
})

describe('signalling limits against one hostile address', () => {
  // Loopback has a whole /8: each 127.x address is a different client to the service.
  const as = (localAddress: string, headers?: Record<string, string>): WebSocket.ClientOptions => ({ localAddress, ...(headers !== undefined ? { headers } : {}) })
  const clientFrom = async (url: string, o: WebSocket.ClientOptions): Promise<TestClient> => {
    const c = new TestClient(url, o); clients.push(c); return await c.open()
  }

  it('takes the address the trusted proxy appended, not one the client wrote into X-Forwarded-For', async () => {
    expect(clientAddress('10.0.0.1', '6.6.6.6, 203.0.113.7', 1)).toBe('203.0.113.7')
    expect(clientAddress('10.0.0.1', '6.6.6.6, 203.0.113.7, 10.0.0.9', 2)).toBe('203.0.113.7')
    expect(clientAddress('10.0.0.1', ['6.6.6.6', '203.0.113.7'], 1)).toBe('203.0.113.7')
    expect(clientAddress('10.0.0.1', '203.0.113.7', 2)).toBe('10.0.0.1') // did not pass both proxies
    expect(clientAddress('10.0.0.1', 'not-an-ip', 1)).toBe('10.0.0.1')
    expect(clientAddress('10.0.0.1', '6.6.6.6', 0)).toBe('10.0.0.1')
    expect(trustProxyHops('2')).toBe(2)
    expect(() => trustProxyHops('yes')).toThrow(/number of proxies/)

    const s = await startSignal({ trustProxy: 1, maxSocketsPerIp: 3 })
    try {
      // One client behind the proxy makes up a new "first" address for every socket.
      for (let i = 0; i < 3; i++) await clientFrom(s.url, { headers: { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.7` } })
      await expect(new TestClient(s.url, { headers: { 'x-forwarded-for': '10.9.9.99, 203.0.113.7' } }).open()).rejects.toThrow(/503/)
      // Someone else behind the same proxy is not affected.
      await clientFrom(s.url, { headers: { 'x-forwarded-for': '198.51.100.1' } })
    } finally { await s.stop() }
  })

  it('counts half-open connections against their address and cuts them after the upgrade timeout', async () => {
    const s = await startSignal({ maxSocketsPerIp: 5, upgradeTimeoutMs: 600 })
    const { port } = s.server.address() as AddressInfo
    const raw: Socket[] = []
    try {
      // 30 connections from one address that start a request and never finish it.
      for (let i = 0; i < 30; i++) {
        const sock = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' })
        sock.on('error', () => {})
        sock.resume() // read what the server answers, so its hang-up is seen
        raw.push(sock)
        await new Promise<void>(resolve => sock.once('connect', () => resolve()))
        sock.write('GET /signal HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n')
      }
      await new Promise(r => setTimeout(r, 100))
      expect(raw.filter(x => !x.destroyed && !x.readableEnded).length).toBeLessThanOrEqual(5)
      // That address can't open a real socket on top while they are held...
      await expect(new TestClient(s.url, as('127.0.0.2')).open()).rejects.toThrow()
      // ...while another address pairs as usual.
      const a = await clientFrom(s.url, as('127.0.0.3'))
      a.send({ t: 'create' })
      expect((await a.next()).t).toBe('created')
      // After the timeout the half-open ones are gone and the address is free again.
      await expect.poll(() => raw.filter(x => !x.closed).length, { timeout: 3000 }).toBe(0)
      await clientFrom(s.url, as('127.0.0.2'))
    } finally {
      raw.forEach(x => x.destroy())
      await s.stop()
    }
  })

  it('bounds one address\'s relay bandwidth while another pair connects and relays promptly', async () => {
    const rate = 1024 * 1024
    const s = await startSignal({ bytesPerSecondPerIp: rate, relayBytesPerSecond: 64 * 1024 * 1024, messagesPerSecond: 100_000, roomOpsPerMinute: 600 })
    const pairFrom = async (addr: string): Promise<[TestClient, TestClient]> => {
      const a = await clientFrom(s.url, as(addr))
      a.send({ t: 'create' })
      const created = await a.next()
      if (created.t !== 'created') throw new Error(JSON.stringify(created))
      const b = await clientFrom(s.url, as(addr))
      b.send({ t: 'join', room: created.room })
      await b.next(); await a.next()
      return [a, b]
    }
    try {
      const flood = await Promise.all(Array.from({ length: 4 }, async () => await pairFrom('127.0.0.2')))
      const frame = Buffer.alloc(MAX_RELAY_FRAME, 1)
      let stop = false
      const started = Date.now()
      const blast = Promise.all(flood.map(async ([a]) => {
        while (!stop) {
          if (a.ws.bufferedAmount < 4 * MAX_RELAY_FRAME) a.sendBinary(frame)
          await new Promise(r => setImmediate(r))
        }
      }))
      await new Promise(r => setTimeout(r, 300))
      // The other pair: create, join, one signal each way and a 64 KiB relayed payment.
      const t0 = performance.now()
      const [x, y] = await pairFrom('127.0.0.3')
      x.send({ t: 'signal', data: { type: 'offer', sdp: 'v=0' } })
      await y.next()
      for (let i = 0; i < 4; i++) x.sendBinary(Buffer.alloc(16_000, i))
      for (let i = 0; i < 4; i++) await y.nextBinary()
      const pairMs = performance.now() - t0
      await new Promise(r => setTimeout(r, 1200))
      stop = true
      await blast
      const secs = (Date.now() - started) / 1000
      const relayed = flood.reduce((n, [, b]) => n + b.drainBinary().reduce((m, f) => m + f.length, 0), 0)
      // Burst (2 s worth) plus the rate for the time it ran, plus what each socket had
      // already read ahead when it was paused (unthrottled, the same loop relays several times this).
      expect(relayed).toBeLessThanOrEqual(rate * (2.5 + secs))
      expect(relayed).toBeGreaterThan(rate) // throttled, not cut off
      expect(pairMs).toBeLessThan(500)
    } finally { await s.stop() }
  }, 20_000)
})
