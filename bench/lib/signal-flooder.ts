// Child process for bench/signal-flood.ts: from one loopback address, pairs PAIRS
// socket pairs on the signalling service and blasts 16 KiB relay frames as fast as
// the sockets take them while switched on ("on"/"off" lines on stdin). Prints
// {"relayedBytes":N,"secs":S} (time switched on) when told to stop (SIGTERM).
import WebSocket from 'ws'

const url = process.env.FLOOD_URL!
const from = process.env.FLOOD_FROM ?? '127.0.0.2'
const PAIRS = Number(process.env.FLOOD_PAIRS ?? 16)
const FRAME = Buffer.alloc(16 * 1024, 7)

const open = async (): Promise<WebSocket> => await new Promise((resolve, reject) => {
  const ws = new WebSocket(url, { localAddress: from, perMessageDeflate: false })
  ws.once('open', () => resolve(ws)); ws.once('error', reject)
})
const nextText = async (ws: WebSocket): Promise<Record<string, unknown>> => await new Promise(resolve => {
  const on = (d: Buffer, bin: boolean): void => { if (!bin) { ws.off('message', on); resolve(JSON.parse(String(d)) as Record<string, unknown>) } }
  ws.on('message', on)
})

let relayed = 0
const senders: WebSocket[] = []
for (let i = 0; i < PAIRS; i++) {
  const a = await open()
  a.send(JSON.stringify({ t: 'create' }))
  const created = await nextText(a)
  const b = await open()
  const joined = nextText(b)
  b.send(JSON.stringify({ t: 'join', room: created.room }))
  await joined; await nextText(a)
  b.on('message', (d: Buffer, bin) => { if (bin) relayed += d.length })
  senders.push(a)
}
let on = false
let onSince = 0
let onSecs = 0
// Each socket stays just under the per-socket relay limit (2 MiB/s: 16 KiB every
// 9 ms), as the attack that found the gap did: many sockets, none of them over its
// own cap. Timers, not a busy loop, so this process doesn't just take a core away.
const pump = (a: WebSocket): void => {
  if (on && a.readyState === a.OPEN && a.bufferedAmount < 4 * FRAME.length) a.send(FRAME, { binary: true })
}
setInterval(() => { for (const a of senders) pump(a) }, 9)
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d: string) => {
  for (const cmd of d.split('\n')) {
    if (cmd === 'on' && !on) { on = true; onSince = Date.now() }
    if (cmd === 'off' && on) { on = false; onSecs += (Date.now() - onSince) / 1000 }
  }
})
process.on('SIGTERM', () => {
  if (on) onSecs += (Date.now() - onSince) / 1000
  console.log(JSON.stringify({ relayedBytes: relayed, secs: onSecs }))
  process.exit(0)
})
console.log(JSON.stringify({ ready: true }))
