// Pairing time on the signalling service for one address while another address
// floods the relay, against the same measurement without the flood, in one run.
// A pairing: create a room, join it, one signal each way, a 64 KiB relayed payment.
// The flooder (bench/lib/signal-flooder.ts) is its own process on 127.0.0.2; the
// measured phones come from 127.0.0.3, so the service sees two addresses.
// Run alone: npm run bench -- signal-flood
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { freePort } from '../tests/e2e/link-harness/node-helpers.ts'
import { median } from './lib/stats.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ROUNDS = 6
const emit = (metric: string, value: number, unit: string): void => { console.log(JSON.stringify({ metric, value, unit })) }

const port = await freePort()
const server = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'server/signal/main.ts')], {
  // Only room operations are loosened (the bench pairs 50 times from one address);
  // the byte and socket limits under test keep their defaults.
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SIGNAL_ROOM_OPS_PER_MINUTE: '1000000' },
  stdio: ['ignore', 'pipe', 'inherit']
})
await lineFrom(server, 'Signalling on')
const url = `ws://127.0.0.1:${port}/signal`

async function lineFrom (p: ChildProcess, want: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    let buf = ''
    const on = (d: Buffer): void => {
      buf += String(d)
      const line = buf.split('\n').find(l => l.includes(want))
      if (line !== undefined) { p.stdout!.off('data', on); resolve(line) }
    }
    p.stdout!.on('data', on)
    p.once('exit', c => reject(new Error(`child exited ${c}`)))
  })
}

interface C { ws: WebSocket, texts: Array<Record<string, unknown>>, bins: Buffer[], wake?: () => void }
const open = async (): Promise<C> => await new Promise((resolve, reject) => {
  const ws = new WebSocket(url, { localAddress: '127.0.0.3', perMessageDeflate: false })
  const c: C = { ws, texts: [], bins: [] }
  ws.on('message', (d: Buffer, bin) => { if (bin) c.bins.push(d); else c.texts.push(JSON.parse(String(d)) as Record<string, unknown>); c.wake?.() })
  ws.once('open', () => resolve(c)); ws.once('error', reject)
})
const next = async (c: C, bin = false): Promise<unknown> => {
  for (;;) {
    const got = bin ? c.bins.shift() : c.texts.shift()
    if (got !== undefined) return got
    await new Promise<void>(r => { c.wake = r })
  }
}

async function pairOnce (): Promise<number> {
  const t0 = performance.now()
  const a = await open()
  a.ws.send(JSON.stringify({ t: 'create' }))
  const created = await next(a) as { room: string }
  const b = await open()
  b.ws.send(JSON.stringify({ t: 'join', room: created.room }))
  await next(b); await next(a)
  a.ws.send(JSON.stringify({ t: 'signal', data: { type: 'offer', sdp: 'v=0' } })); await next(b)
  b.ws.send(JSON.stringify({ t: 'signal', data: { type: 'answer', sdp: 'v=0' } })); await next(a)
  for (let i = 0; i < 4; i++) a.ws.send(Buffer.alloc(16 * 1024, i), { binary: true })
  for (let i = 0; i < 4; i++) await next(b, true)
  const ms = performance.now() - t0
  a.ws.close(); b.ws.close()
  return ms
}

// Calm and flooded blocks alternate many times, so a machine whose load drifts
// during the run (other jobs) moves both medians alike.
const BLOCKS = 8
const calmMs: number[] = []
const floodMs: number[] = []
const flooder = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'bench/lib/signal-flooder.ts')], {
  env: { ...process.env, FLOOD_URL: url, FLOOD_FROM: '127.0.0.2' },
  stdio: ['pipe', 'pipe', 'inherit']
})
await lineFrom(flooder, '"ready"')
for (let i = 0; i < 3; i++) await pairOnce() // warm-up
for (let blk = 0; blk < BLOCKS; blk++) {
  for (let i = 0; i < ROUNDS; i++) calmMs.push(await pairOnce())
  flooder.stdin!.write('on\n')
  // Past the burst allowance (2 s of the rate), so the flood runs at its cap.
  await new Promise(r => setTimeout(r, blk === 0 ? 2500 : 500))
  for (let i = 0; i < ROUNDS; i++) floodMs.push(await pairOnce())
  flooder.stdin!.write('off\n')
  await new Promise(r => setTimeout(r, 300)) // let frames in flight drain
}
const done = lineFrom(flooder, 'relayedBytes')
flooder.kill('SIGTERM')
const { relayedBytes, secs: floodSecs } = JSON.parse(await done) as { relayedBytes: number, secs: number }
const calm = median(calmMs)
const flooded = median(floodMs)

emit('signal_pair_ms', Number(calm.toFixed(2)), 'ms')
emit('signal_pair_ms_under_flood', Number(flooded.toFixed(2)), 'ms')
emit('signal_pair_flood_ratio', Number((flooded / calm).toFixed(2)), 'x')
emit('signal_flood_relayed_mib_per_s', Number((relayedBytes / floodSecs / 1048576).toFixed(2)), 'MiB/s')

server.kill('SIGTERM')
await new Promise(r => server.once('exit', r))
