// Node-side helpers shared by the link/signalling tests and benches: a throwaway
// redis-server on loopback, and a tiny scripted WebSocket client.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer as createNetServer, connect } from 'node:net'
import WebSocket from 'ws'
import type { ServerMessage } from '../../../src/link/signal-protocol.ts'

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createNetServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface RedisProc { url: string, stop: () => Promise<void> }

/** Starts redis-server on a free loopback port, no persistence. */
export async function startRedis (): Promise<RedisProc> {
  const port = await freePort()
  const proc: ChildProcess = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'
  ], { stdio: 'ignore' })
  const deadline = Date.now() + 10_000
  for (;;) {
    const ok = await new Promise<boolean>(resolve => {
      const s = connect(port, '127.0.0.1', () => { s.end(); resolve(true) })
      s.on('error', () => resolve(false))
    })
    if (ok) break
    if (Date.now() > deadline) { proc.kill(); throw new Error('redis-server did not start') }
    await new Promise(r => setTimeout(r, 50))
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (proc.exitCode !== null) return
      const exited = new Promise<void>(resolve => proc.once('exit', () => resolve()))
      proc.kill('SIGTERM')
      await exited
    }
  }
}

/** A scripted client that queues what the server says, for step-by-step assertions. */
export class TestClient {
  readonly ws: WebSocket
  private readonly texts: ServerMessage[] = []
  private readonly bins: Buffer[] = []
  private waiters: Array<() => void> = []
  closed?: { code: number, reason: string }

  /** `opts`: e.g. { localAddress: '127.0.0.2' } to appear as another client, or extra headers. */
  constructor (url: string, opts?: WebSocket.ClientOptions) {
    this.ws = new WebSocket(url, opts)
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) this.bins.push(data as Buffer)
      else this.texts.push(JSON.parse(String(data)) as ServerMessage)
      this.wake()
    })
    this.ws.on('close', (code, reason) => { this.closed = { code, reason: String(reason) }; this.wake() })
    this.ws.on('error', () => {})
  }

  private wake (): void { const w = this.waiters; this.waiters = []; w.forEach(f => f()) }

  async open (): Promise<this> {
    if (this.ws.readyState === WebSocket.OPEN) return this
    await new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve())
      this.ws.once('error', reject)
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    })
    return this
  }

  send (m: unknown): void { this.ws.send(typeof m === 'string' ? m : JSON.stringify(m)) }
  sendBinary (b: Uint8Array): void { this.ws.send(b, { binary: true }) }

  private async waitFor<T> (take: () => T | undefined, what: string, ms: number): Promise<T> {
    const deadline = Date.now() + ms
    for (;;) {
      const got = take()
      if (got !== undefined) return got
      if (this.closed !== undefined) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>(resolve => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(t); resolve() })
      })
    }
  }

  async next (ms = 5000): Promise<ServerMessage> {
    return await this.waitFor(() => this.texts.shift(), 'a message', ms)
  }

  async nextBinary (ms = 5000): Promise<Buffer> {
    return await this.waitFor(() => this.bins.shift(), 'a binary frame', ms)
  }

  /** Binary frames received so far and not yet taken (consumes them). */
  drainBinary (): Buffer[] { return this.bins.splice(0) }

  async closedWith (ms = 5000): Promise<{ code: number, reason: string }> {
    return await this.waitFor(() => this.closed, 'close', ms)
  }

  close (): void { this.ws.close() }
}
