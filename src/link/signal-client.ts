// Browser client of the signalling service (server/signal). Control messages are
// validated with the shared schema; binary frames are handed up untouched.

import * as v from 'valibot'
import {
  ERROR_TEXT, ServerMessageSchema, type RoomId, type ServerMessage, type SignalErrorCode
} from './signal-protocol.ts'
import { Emitter } from './emitter.ts'
import { LinkError } from './errors.ts'
import { withDetail } from '../core/plain-detail.ts'

/** The WebSocket constructor to use (the browser's by default; `ws` in Node). */
export type WebSocketCtor = new (url: string) => WebSocket

type Events = {
  signal: Record<string, unknown>
  binary: Uint8Array
  'peer-joined': undefined
  'peer-left': undefined
  error: { code: SignalErrorCode, message: string }
  close: { code: number, reason: string }
}

const HIGH_WATER = 512 * 1024
/** How long to wait for the signalling service to answer before saying so. */
export const CONNECT_TIMEOUT_MS = 3000
const SIGNAL_UNREACHABLE = 'The connection service could not be reached. Check that this phone has internet (mobile data or Wi-Fi); or join the other phone\'s Wi-Fi or hotspot and pair with a two-scan code, which needs no server; or pay by showing codes instead.'

export class SignalClient {
  private readonly events = new Emitter<Events>()
  private readonly control: ServerMessage[] = []
  private controlWaiter?: () => void
  private isClosed = false

  private constructor (private readonly ws: WebSocket) {
    ws.binaryType = 'arraybuffer'
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') { this.events.emit('binary', new Uint8Array(ev.data as ArrayBuffer)); return }
      let raw: unknown
      try { raw = JSON.parse(ev.data) } catch { return }
      const parsed = v.safeParse(ServerMessageSchema, raw)
      if (!parsed.success) return // a server we don't understand gets ignored, not trusted
      const m = parsed.output
      switch (m.t) {
        case 'signal': this.events.emit('signal', m.data); return
        case 'peer-joined': this.events.emit('peer-joined', undefined); return
        case 'peer-left': this.events.emit('peer-left', undefined); return
        case 'error': this.events.emit('error', { code: m.code, message: m.message })
      }
      this.control.push(m)
      this.controlWaiter?.()
    }
    ws.onclose = (ev: CloseEvent) => {
      this.isClosed = true
      this.controlWaiter?.()
      this.events.emit('close', { code: ev.code, reason: ev.reason })
    }
  }

  /**
   * Opens the socket. A service that has not answered within `timeoutMs` (default 3 s)
   * is as good as unreachable for two people waiting face to face: fail with words that
   * offer the way that needs no server.
   */
  static async connect (url: string, WS: WebSocketCtor = WebSocket, timeoutMs = CONNECT_TIMEOUT_MS): Promise<SignalClient> {
    const ws = new WS(url)
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        // Keep an error handler: closing a socket mid-handshake reports one (Node's ws throws without).
        ws.onopen = null; ws.onerror = () => {}
        try { ws.close() } catch {}
        reject(new LinkError('signalling', SIGNAL_UNREACHABLE))
      }, timeoutMs)
      ws.onopen = () => { clearTimeout(t); resolve() }
      ws.onerror = () => { clearTimeout(t); reject(new LinkError('signalling', SIGNAL_UNREACHABLE)) }
    })
    ws.onerror = null
    return new SignalClient(ws)
  }

  get closed (): boolean { return this.isClosed }

  private async reply (): Promise<ServerMessage> {
    for (;;) {
      const m = this.control.shift()
      if (m !== undefined) return m
      if (this.isClosed) throw new LinkError('signalling', 'The connection service stopped answering. Try again in a moment.')
      await new Promise<void>(resolve => { this.controlWaiter = resolve })
      this.controlWaiter = undefined
    }
  }

  private fail (m: ServerMessage): never {
    if (m.t === 'error') throw new LinkError('signalling', ERROR_TEXT[m.code] ?? m.message)
    throw new LinkError('signalling', withDetail('The connection service sent an answer Handover does not understand. Try again in a moment.', `unexpected reply ${m.t}`))
  }

  /** Opens a room; the reply carries its id for the invite. */
  async create (): Promise<{ room: RoomId, expiresInMs: number }> {
    this.ws.send(JSON.stringify({ t: 'create' }))
    const m = await this.reply()
    if (m.t !== 'created') this.fail(m)
    return { room: m.room, expiresInMs: m.expiresInMs }
  }

  async join (room: RoomId): Promise<void> {
    this.ws.send(JSON.stringify({ t: 'join', room }))
    const m = await this.reply()
    if (m.t !== 'joined') this.fail(m)
  }

  sendSignal (data: object): void {
    if (!this.isClosed) this.ws.send(JSON.stringify({ t: 'signal', data }))
  }

  /** Sends an opaque frame to the peer, waiting while the socket's buffer is full. */
  async sendBinary (bytes: Uint8Array): Promise<void> {
    while (this.ws.bufferedAmount > HIGH_WATER && !this.isClosed) await new Promise(r => setTimeout(r, 10))
    if (this.isClosed) throw new LinkError('closed', 'The relay connection is closed.')
    this.ws.send(bytes)
  }

  on<K extends keyof Events> (ev: K, cb: (v: Events[K]) => void): () => void {
    return this.events.on(ev, cb)
  }

  close (): void {
    if (this.isClosed) return
    try { this.ws.send(JSON.stringify({ t: 'leave' })) } catch {}
    this.ws.close(1000)
  }
}
