// Where rooms live and how a frame reaches a socket that may sit on another
// instance. Two implementations behind one interface: in memory for a single
// process, Redis (keys + pub/sub) when several instances share the load.

import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'

/** `<instanceId>/<socket number>`: enough to route to any socket in the cluster. */
export type SocketAddr = string

export type Delivery =
  | { kind: 'text', to: number, text: string }
  | { kind: 'binary', to: number, data: Buffer }
  | { kind: 'peer-joined', to: number, from: SocketAddr, room: string }
  | { kind: 'peer-left', to: number }

export type JoinResult = { ok: true, peer: SocketAddr } | { ok: false, code: 'room-not-found' | 'room-full' }

export interface RoomBackend {
  readonly instanceId: string
  create (room: string, creator: SocketAddr, ttlMs: number): Promise<void>
  join (room: string, joiner: SocketAddr, ttlMs: number): Promise<JoinResult>
  remove (room: string): Promise<void>
  /** Send to a socket anywhere; the backend calls `onDelivery` on the owning instance. */
  deliver (addr: SocketAddr, d: Delivery): void
  onDelivery (handler: (d: Delivery) => void): void
  /** Resolves when the backend can route deliveries to this instance. */
  readonly ready: Promise<void>
  close (): Promise<void>
}

export function splitAddr (addr: SocketAddr): { instance: string, socket: number } {
  const i = addr.lastIndexOf('/')
  return { instance: addr.slice(0, i), socket: Number(addr.slice(i + 1)) }
}

export function newInstanceId (): string {
  return randomBytes(6).toString('hex')
}

// ---------- in memory ----------

export class MemoryRooms implements RoomBackend {
  readonly instanceId = newInstanceId()
  readonly ready = Promise.resolve()
  private readonly rooms = new Map<string, { a: SocketAddr, b?: SocketAddr, expires: number }>()
  private handler: (d: Delivery) => void = () => {}

  async create (room: string, creator: SocketAddr, ttlMs: number): Promise<void> {
    this.sweep()
    this.rooms.set(room, { a: creator, expires: Date.now() + ttlMs })
  }

  async join (room: string, joiner: SocketAddr, ttlMs: number): Promise<JoinResult> {
    const r = this.rooms.get(room)
    if (r === undefined || r.expires < Date.now()) return { ok: false, code: 'room-not-found' }
    if (r.b !== undefined) return { ok: false, code: 'room-full' }
    r.b = joiner
    r.expires = Date.now() + ttlMs
    return { ok: true, peer: r.a }
  }

  async remove (room: string): Promise<void> { this.rooms.delete(room) }

  deliver (_addr: SocketAddr, d: Delivery): void {
    queueMicrotask(() => this.handler(d))
  }

  onDelivery (handler: (d: Delivery) => void): void { this.handler = handler }

  private sweep (): void {
    const now = Date.now()
    for (const [k, r] of this.rooms) if (r.expires < now) this.rooms.delete(k)
  }

  async close (): Promise<void> { this.rooms.clear() }
}

// ---------- Redis ----------

// Second seat is claimed atomically, so two joiners racing on two instances can't
// both get in.
const JOIN_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 'room-not-found'} end
if redis.call('HSETNX', KEYS[1], 'b', ARGV[1]) == 0 then return {0, 'room-full'} end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, redis.call('HGET', KEYS[1], 'a')}
`

const KIND_CODE = { text: 0, binary: 1, 'peer-joined': 2, 'peer-left': 3 } as const

function encodeDelivery (d: Delivery): Buffer {
  const head = Buffer.alloc(5)
  head[0] = KIND_CODE[d.kind]
  head.writeUInt32BE(d.to, 1)
  switch (d.kind) {
    case 'text': return Buffer.concat([head, Buffer.from(d.text, 'utf8')])
    case 'binary': return Buffer.concat([head, d.data])
    case 'peer-joined': return Buffer.concat([head, Buffer.from(JSON.stringify([d.from, d.room]), 'utf8')])
    case 'peer-left': return head
  }
}

function decodeDelivery (b: Buffer): Delivery | undefined {
  if (b.length < 5) return undefined
  const to = b.readUInt32BE(1)
  const body = b.subarray(5)
  switch (b[0]) {
    case 0: return { kind: 'text', to, text: body.toString('utf8') }
    case 1: return { kind: 'binary', to, data: Buffer.from(body) }
    case 2: {
      const [from, room] = JSON.parse(body.toString('utf8')) as [string, string]
      return { kind: 'peer-joined', to, from, room }
    }
    case 3: return { kind: 'peer-left', to }
    default: return undefined
  }
}

export class RedisRooms implements RoomBackend {
  readonly instanceId = newInstanceId()
  private readonly cmd: Redis
  private readonly sub: Redis
  private handler: (d: Delivery) => void = () => {}
  private readonly prefix: string

  /** Resolves once this instance is subscribed and can receive deliveries. */
  readonly ready: Promise<void>

  // Synchronous so attachSignalling can stay synchronous: ioredis queues commands
  // until the connection is up.
  constructor (url: string, prefix = 'ho:sig:') {
    this.prefix = prefix
    this.cmd = new Redis(url, { maxRetriesPerRequest: 2 })
    this.sub = new Redis(url)
    this.sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
      const d = decodeDelivery(message)
      if (d !== undefined) this.handler(d)
    })
    // Errors surface through failed commands; an unhandled 'error' event would crash the process.
    this.cmd.on('error', () => {})
    this.sub.on('error', () => {})
    this.ready = this.sub.subscribe(this.channel(this.instanceId)).then(() => undefined)
  }

  private key (room: string): string { return `${this.prefix}room:${room}` }
  private channel (instance: string): string { return `${this.prefix}inst:${instance}` }

  async create (room: string, creator: SocketAddr, ttlMs: number): Promise<void> {
    await this.cmd.multi().hset(this.key(room), 'a', creator).pexpire(this.key(room), ttlMs).exec()
  }

  async join (room: string, joiner: SocketAddr, ttlMs: number): Promise<JoinResult> {
    const res = await this.cmd.eval(JOIN_LUA, 1, this.key(room), joiner, String(ttlMs)) as [number, string]
    if (res[0] === 1) return { ok: true, peer: res[1] }
    return { ok: false, code: res[1] === 'room-full' ? 'room-full' : 'room-not-found' }
  }

  async remove (room: string): Promise<void> { await this.cmd.del(this.key(room)) }

  deliver (addr: SocketAddr, d: Delivery): void {
    const { instance } = splitAddr(addr)
    if (instance === this.instanceId) {
      queueMicrotask(() => this.handler(d))
      return
    }
    this.cmd.publish(this.channel(instance), encodeDelivery(d)).catch(() => {
      // The peer's instance is gone or Redis hiccupped; the room TTL cleans up.
    })
  }

  onDelivery (handler: (d: Delivery) => void): void { this.handler = handler }

  async close (): Promise<void> {
    await Promise.allSettled([this.sub.quit(), this.cmd.quit()])
  }
}
