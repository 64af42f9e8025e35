// Issue 9.4: any web page can POST to a developer's local server, and one 11-byte BEEF used
// to run the SDK's reader out of memory and take app, devnet and signalling down together.
// This runs the real server in a child process with a small heap and throws malformed
// requests at every route (app, static files, devnet ARC + WhatsOnChain + devnet-only,
// signalling's HTTP upgrade), bounded in count and time, then checks it still answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { alice, addr } from './devnet-helpers.ts'
import { rng } from './seeded-random.ts'

const MAX_REQUESTS = 700
const MAX_MS = 40_000
const CONCURRENCY = 4

let child: ChildProcess
let url = ''
let staticDir = ''
let exited: number | null | undefined
let stderr = ''

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'handover-fuzz-'))
  mkdirSync(join(staticDir, 'assets'))
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>x</title>')
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)')
  child = spawn(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', 'tests/unit/fuzz/server-child.ts', staticDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.on('exit', code => { exited = code })
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000) })
  url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('server child did not start: ' + stderr)), 60_000)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n').find(l => l.startsWith('{'))
      if (line !== undefined) { clearTimeout(timer); resolve((JSON.parse(line) as { url: string }).url) }
    })
    child.on('exit', () => reject(new Error('server child exited: ' + stderr)))
  })
}, 90_000)

afterAll(async () => {
  if (exited === undefined) {
    child.kill('SIGTERM')
    await new Promise(resolve => { child.once('exit', resolve); setTimeout(resolve, 5000) })
    if (exited === undefined) child.kill('SIGKILL')
  }
  rmSync(staticDir, { recursive: true, force: true })
})

/** Writes raw bytes on a socket and returns the status line (or '' when the server hangs up). */
async function raw (bytes: string | Buffer, abortAfterWrite = false): Promise<string> {
  const { port, hostname } = new URL(url)
  return await new Promise(resolve => {
    const s = connect(Number(port), hostname)
    let got = ''
    const done = (): void => { s.destroy(); resolve(got.split('\r\n')[0] ?? '') }
    s.setTimeout(5000, done)
    s.on('data', d => { got += d.toString('latin1'); if (got.includes('\r\n')) done() })
    s.on('error', done)
    s.on('close', done)
    s.write(bytes, () => { if (abortAfterWrite) done() })
  })
}

const alive = async (): Promise<number> => (await fetch(`${url}/devnet/chain/chain/info`)).status

describe('route fuzzer', () => {
  it('survives the 11-byte BEEF that used to kill the process, and answers 463', async () => {
    for (const hex of ['0100beef00feffffff7f00', '0100beef00ff0000000001', '0100beefffffffffffffff']) {
      const r = await fetch(`${url}/devnet/arc/v1/tx`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: hex })
      expect(r.status).toBe(463)
      const bin = await fetch(`${url}/devnet/arc/v1/tx`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(hex, 'hex') })
      expect(bin.status).toBe(463)
    }
    // The same bytes as EF with a huge output index, which the SDK's fromEF would allocate for.
    const ef = '01000000' + '0000000000ef' + '01' + 'ab'.repeat(32) + 'ffffffff' + '00' + 'ffffffff' + '0100000000000000' + '0151' + '01' + '0100000000000000' + '0151' + '00000000'
    expect((await fetch(`${url}/devnet/arc/v1/tx`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: ef })).status).toBeLessThan(500)
    expect(await alive()).toBe(200)
    expect(exited).toBeUndefined()
  })

  it('answers the static server\'s bad escapes with 400, not 500', async () => {
    for (const p of ['/%', '/%zz', '/a%00b', '/%E0%A4%A']) expect((await fetch(url + p)).status).toBe(400)
    expect((await fetch(url + '/..%2f..%2fetc%2fpasswd')).status).toBeLessThan(500)
    expect((await fetch(url + '/assets/app.js')).status).toBe(200)
  })

  it('survives malformed HTTP on raw sockets, including upgrades to paths new URL cannot parse', async () => {
    const cases = [
      'GET // HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      'GET /// HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      'GET /signal HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      'GET // HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /devnet/arc/v1/tx HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'POST /devnet/arc/v1/tx HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n\x01\x00\xbe\xef\x00\xfe\xff\xff\xff\x7f\x00',
      'GARBAGE\r\n\r\n',
      `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`
    ]
    for (const c of cases) await raw(Buffer.from(c, 'latin1'), c.includes('Content-Length: 100'))
    expect(await alive()).toBe(200)
    expect(exited).toBeUndefined()
  })

  it('answers every route within bounds under random hostile input, then still works', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000)
    const rand = rng(seed)
    const A = addr(alice) // computing an address is an EC multiplication: once, not per request
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
    const bytes = (n: number): Buffer => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256); return b }
    const hex = (b: Buffer): string => b.toString('hex')
    const txid = (): string => hex(bytes(32))
    const junk = (): string => pick(['', '%', '%zz', '..', '../..', 'ab'.repeat(32), 'x'.repeat(300), '\u00ff', '-1', '1e309', '99999999999', A, hex(bytes(5))])
    const beefish = (): Buffer => Buffer.concat([Buffer.from(pick(['0100beef', '0200beef', '01010101', '01000000', '010000000000000000ef']), 'hex'), bytes(Math.floor(rand() * 40))])
    // Each route with the method it serves (so handlers, not just the 404, get the input),
    // and now and then with any method.
    const routes: Array<[string, () => string]> = [
      ['GET', () => pick(['/', '/index.html', '/assets/app.js', `/${junk()}`, `/assets/${junk()}`, '/signal'])],
      ['POST', () => '/devnet/arc/v1/tx'], ['POST', () => '/devnet/arc/v1/tx'], ['POST', () => '/devnet/arc/v1/txs'],
      ['GET', () => `/devnet/arc/v1/tx/${pick([txid(), junk()])}`], ['GET', () => pick(['/devnet/arc/v1/policy', '/devnet/arc/v1/health', `/devnet/arc/${junk()}`])],
      ['GET', () => `/devnet/chain/address/${pick([A, junk()])}/${pick(['confirmed/unspent', 'unconfirmed/unspent', 'unspent/all', 'confirmed/history', 'unconfirmed/history'])}?token=${encodeURIComponent(junk())}`],
      ['GET', () => `/devnet/chain/script/${pick([txid(), junk()])}/${pick(['confirmed/unspent', 'unconfirmed/unspent', 'unspent/all', 'confirmed/history', 'unconfirmed/history'])}?token=${encodeURIComponent(junk())}`],
      ['POST', () => `/devnet/chain/addresses/${pick(['confirmed', 'unconfirmed'])}/unspent`], ['POST', () => '/devnet/chain/txs/status'], ['POST', () => '/devnet/chain/tx/raw'],
      ['GET', () => `/devnet/chain/tx/${pick([txid(), junk()])}/${pick(['hex', 'proof/tsc'])}`],
      ['GET', () => `/devnet/chain/block/${pick([txid(), '0', '-1', '999999999', junk()])}/header`],
      ['GET', () => pick(['/devnet/chain/block/headers', '/devnet/chain/chain/info', '/devnet/chain/exchangerate', `/devnet/chain/${junk()}`])],
      ['POST', () => pick(['/devnet/faucet', '/devnet/mine', '/devnet/reorg', '/devnet/faults', '/devnet/config', `/devnet/${junk()}`])],
      ['DELETE', () => '/devnet/faults']
    ]
    const bodies = (): string | Buffer | undefined => pick([
      undefined, '', bytes(Math.floor(rand() * 2000)), beefish(), hex(beefish()), hex(bytes(Math.floor(rand() * 300))),
      JSON.stringify({ rawTx: hex(beefish()) }), JSON.stringify({ rawTx: junk() }), JSON.stringify({ rawTx: 42 }),
      JSON.stringify({ addresses: Array.from({ length: Math.floor(rand() * 30) }, junk) }), JSON.stringify({ addresses: 'x' }),
      JSON.stringify({ txids: Array.from({ length: Math.floor(rand() * 30) }, () => pick([txid(), junk()])) }), JSON.stringify({ txhex: hex(beefish()) }),
      JSON.stringify({ blocks: pick([0, -1, 1e9, 'x', null, 1.5]) }), JSON.stringify({ depth: pick([0, -1, 11, 'x', null, 1e9]) }),
      JSON.stringify({ address: pick([junk(), A]), satoshis: pick([0, -5, 1e300, 'x', null, 2e8]) }),
      JSON.stringify({ route: pick(['chain', 'arc-submit', 'nope']), count: pick([0, -1, 1e9, 'x']), response: { status: pick([99, 600, 'x']) } }),
      JSON.stringify({ arcSeenDelayMs: pick([-1, 1e12, 'x']) }), '{"a":' .repeat(500), '[[[[[[[[[[', 'null', '"str"', '1e400', '\u0000\u0001'
    ])
    const types = [undefined, 'text/plain', 'application/json', 'application/octet-stream', 'multipart/form-data', 'text/plain; charset=utf-16', 'x/\u00e9']
    const methods = ['GET', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PUT']
    const statuses = new Map<number, number>()
    const fivehundreds: string[] = []
    const started = Date.now()
    let sent = 0
    const worker = async (): Promise<void> => {
      while (sent < MAX_REQUESTS && Date.now() - started < MAX_MS && exited === undefined) {
        sent++
        const [routeMethod, makePath] = pick(routes)
        const method = rand() < 0.8 ? routeMethod : pick(methods)
        const path = makePath()
        const body = method === 'GET' || method === 'HEAD' ? undefined : bodies()
        const type = pick(types)
        const headers: Record<string, string> = {}
        if (type !== undefined) headers['content-type'] = type
        if (rand() < 0.2) headers['x-maxtimeout'] = pick(['0', '1', '31', '-1', 'x', '99999999999'])
        if (rand() < 0.2) headers['x-waitfor'] = pick(['STORED', 'MINED', 'NOPE', ''])
        if (rand() < 0.1) headers.authorization = junk().replace(/[^\x20-\x7e]/g, '')
        let status = 0
        try {
          const r = await fetch(url + path, { method, headers, body: body as BodyInit | undefined, signal: AbortSignal.timeout(15_000) })
          status = r.status
          await r.arrayBuffer()
        } catch (e) {
          // fetch itself refuses some URLs (bad escapes in the path are fine; a dead server is not)
          if (exited !== undefined) throw new Error(`server died (seed ${seed}) on ${method} ${path.slice(0, 100)}: ${stderr}`)
          status = -1
          void e
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (status === 201 && path === '/devnet/faults') await fetch(url + '/devnet/faults', { method: 'DELETE' })
        if (status >= 500 && status !== 503) fivehundreds.push(`${method} ${path.slice(0, 80)} -> ${status}`)
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    await fetch(url + '/devnet/faults', { method: 'DELETE' })
    await fetch(url + '/devnet/config', { method: 'POST', body: '{"arcAnnounceDelayMs":0,"arcSeenDelayMs":0}' })
    console.log(`fuzz seed ${seed}: ${sent} requests in ${Date.now() - started} ms, statuses ${JSON.stringify([...statuses].sort((a, b) => a[0] - b[0]))}`)
    expect(exited, `server exited (seed ${seed}): ${stderr}`).toBeUndefined()
    expect(sent).toBeGreaterThan(100)
    expect(fivehundreds, `seed ${seed}`).toEqual([])
    // Still a working chain: the faucet pays and the payment is visible.
    expect(await alive()).toBe(200)
    const f = await fetch(`${url}/devnet/faucet`, { method: 'POST', body: JSON.stringify({ address: A, satoshis: 1234 }) })
    expect(f.status).toBe(200)
    const { txid: paid } = await f.json() as { txid: string }
    expect((await (await fetch(`${url}/devnet/arc/v1/tx/${paid}`)).json() as { txStatus: string }).txStatus).toMatch(/SEEN_ON_NETWORK|MINED/)
  }, 120_000)
})
