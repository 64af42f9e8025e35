// Signalling capacity on loopback: how many sockets one service process holds, and
// the relay latency p99 between paired sockets while they are all held.
// Run alone: npx tsx bench/link-signal.ts   (SIGNAL_BENCH_SOCKETS to change the target)
import { spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { freePort } from '../tests/e2e/link-harness/node-helpers.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const TARGET = Number(process.env.SIGNAL_BENCH_SOCKETS ?? 10_000)
const PROBE_PAIRS = 100
const ROUNDS = 50
const PACE_MS = 50
const emit = (metric: string, value: number, unit: string): void => { console.log(JSON.stringify({ metric, value, unit })) }

const port = await freePort()
const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'server/signal/main.ts')], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SIGNAL_MAX_SOCKETS: String(TARGET + 100), SIGNAL_MAX_SOCKETS_PER_IP: String(TARGET + 100), SIGNAL_ROOM_OPS_PER_MINUTE: '1000000' },
  stdio: ['ignore', 'pipe', 'inherit']
})
await new Promise<void>((resolve, reject) => {
  child.stdout!.on('data', (d: Buffer) => { if (String(d).includes('Signalling on')) resolve() })
  child.once('exit', c => reject(new Error(`signal server exited ${c}`)))
})
const url = `ws://127.0.0.1:${port}/signal`

interface C { ws: WebSocket, texts: Array<Record<string, unknown>>, bins: Buffer[], wake?: () => void }
const open = async (): Promise<C> => await new Promise((resolve, reject) => {
  const ws = new WebSocket(url, { perMessageDeflate: false })
  const c: C = { ws, texts: [], bins: [] }
  ws.on('message', (d: Buffer, bin) => { if (bin) c.bins.push(d); else c.texts.push(JSON.parse(String(d)) as Record<string, unknown>); c.wake?.() })
  ws.once('open', () => resolve(c))
  ws.once('error', reject)
})
const next = async (c: C, bin = false): Promise<Record<string, unknown> | Buffer> => {
  for (let i = 0; i < 1000; i++) {
    const got = bin ? c.bins.shift() : c.texts.shift()
    if (got !== undefined) return got
    await new Promise<void>(r => { c.wake = r; setTimeout(r, 50) })
  }
  throw new Error('timeout')
}

// Hold sockets in pairs (creator + joiner) until the process or the machine refuses.
const held: C[] = []
const pairs: Array<[C, C]> = []
let refused = ''
const t0 = Date.now()
while (held.length < TARGET && refused === '' && Date.now() - t0 < 240_000) {
  const batch = Math.min(250, (TARGET - held.length) >> 1)
  if (batch <= 0) break
  const made = await Promise.allSettled(Array.from({ length: batch }, async () => {
    const a = await open(); held.push(a)
    a.ws.send(JSON.stringify({ t: 'create' }))
    const created = await next(a) as { room: string }
    const b = await open(); held.push(b)
    b.ws.send(JSON.stringify({ t: 'join', room: created.room }))
    await next(b); await next(a)
    pairs.push([a, b])
  }))
  const bad = made.find(r => r.status === 'rejected')
  if (bad !== undefined) refused = String((bad as PromiseRejectedResult).reason)
}
emit('signal_sockets_held', held.filter(c => c.ws.readyState === WebSocket.OPEN).length, 'sockets')
if (refused !== '') console.error(`stopped adding sockets: ${refused}`)

// Relay latency under a paced load: PROBE_PAIRS pairs each send a 1 KiB frame
// every PACE_MS (one-way latency from a timestamp in the frame; same clock).
const lat: number[] = []
const probe = pairs.filter((_, i) => i % Math.max(1, Math.floor(pairs.length / PROBE_PAIRS)) === 0).slice(0, PROBE_PAIRS)
for (const [, b] of probe) {
  b.ws.on('message', (d: Buffer, bin) => { if (bin) lat.push(performance.now() - d.readDoubleBE(0)) })
}
const started = performance.now()
await Promise.all(probe.map(async ([a], i) => {
  await new Promise(r => setTimeout(r, (i * PACE_MS) / probe.length)) // spread the senders
  for (let r = 0; r < ROUNDS; r++) {
    const frame = Buffer.alloc(1024, 7)
    frame.writeDoubleBE(performance.now(), 0)
    a.ws.send(frame, { binary: true })
    await new Promise(res => setTimeout(res, PACE_MS))
  }
}))
await new Promise(r => setTimeout(r, 500))
const secs = (performance.now() - started) / 1000
lat.sort((x, y) => x - y)
emit('signal_relay_load_fps', Math.round(lat.length / secs), 'frames/s')
emit('signal_relay_p99_ms', Number((lat[Math.floor(lat.length * 0.99)] ?? NaN).toFixed(2)), 'ms')
emit('signal_relay_p50_ms', Number((lat[Math.floor(lat.length * 0.5)] ?? NaN).toFixed(2)), 'ms')

for (const c of held) c.ws.terminate()
child.kill('SIGTERM')
await new Promise(r => child.once('exit', r))
