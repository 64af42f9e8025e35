// A minimal TURN client (RFC 5766 Allocate over UDP with RFC 5389 long-term credentials),
// enough to ask a real coturn whether it takes a username/credential pair.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'

const MAGIC = 0x2112a442
const ALLOCATE = 0x0003
const ALLOCATE_OK = 0x0103
const ALLOCATE_ERR = 0x0113
const A = { USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, REALM: 0x0014, NONCE: 0x0015, XOR_RELAYED_ADDRESS: 0x0016, REQUESTED_TRANSPORT: 0x0019, LIFETIME: 0x000d }

type Attr = [number, Buffer]

function attr (type: number, value: Buffer): Buffer {
  const pad = (4 - value.length % 4) % 4
  const h = Buffer.alloc(4)
  h.writeUInt16BE(type, 0); h.writeUInt16BE(value.length, 2)
  return Buffer.concat([h, value, Buffer.alloc(pad)])
}

function message (type: number, tx: Buffer, attrs: Attr[], integrityKey?: Buffer): Buffer {
  let body = Buffer.concat(attrs.map(([t, v]) => attr(t, v)))
  const header = (len: number): Buffer => {
    const h = Buffer.alloc(20)
    h.writeUInt16BE(type, 0); h.writeUInt16BE(len, 2); h.writeUInt32BE(MAGIC, 4); tx.copy(h, 8)
    return h
  }
  if (integrityKey !== undefined) {
    // The HMAC covers the message with its length already counting the 24-byte attribute.
    const mac = createHmac('sha1', integrityKey).update(Buffer.concat([header(body.length + 24), body])).digest()
    body = Buffer.concat([body, attr(A.MESSAGE_INTEGRITY, mac)])
  }
  return Buffer.concat([header(body.length), body])
}

function parse (buf: Buffer): { type: number, tx: Buffer, attrs: Map<number, Buffer> } {
  const type = buf.readUInt16BE(0)
  const len = buf.readUInt16BE(2)
  const attrs = new Map<number, Buffer>()
  let o = 20
  while (o + 4 <= 20 + len) {
    const t = buf.readUInt16BE(o); const l = buf.readUInt16BE(o + 2)
    if (!attrs.has(t)) attrs.set(t, buf.subarray(o + 4, o + 4 + l))
    o += 4 + l + (4 - l % 4) % 4
  }
  return { type, tx: buf.subarray(8, 20), attrs }
}

export type AllocateResult = { ok: true, relayed: string } | { ok: false, code: number, reason: string }

/** Allocate a UDP relay on host:port with these credentials; the first 401 (realm + nonce) is expected. */
export async function turnAllocate (host: string, port: number, username: string, password: string, timeoutMs = 3000): Promise<AllocateResult> {
  const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4')
  const ask = async (m: Buffer, tx: Buffer): Promise<ReturnType<typeof parse>> => await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sock.off('message', on); reject(new Error('TURN server did not answer')) }, timeoutMs)
    const on = (b: Buffer): void => {
      if (b.length < 20) return
      const p = parse(b)
      if (!p.tx.equals(tx)) return
      clearTimeout(timer); sock.off('message', on); resolve(p)
    }
    sock.on('message', on)
    sock.send(m, port, host)
  })
  try {
    const transport: Attr = [A.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0])]
    const tx1 = randomBytes(12)
    const first = await ask(message(ALLOCATE, tx1, [transport]), tx1)
    if (first.type === ALLOCATE_OK) return { ok: true, relayed: relayed(first.attrs, tx1) }
    const realm = first.attrs.get(A.REALM); const nonce = first.attrs.get(A.NONCE)
    if (realm === undefined || nonce === undefined) return errorOf(first.attrs)
    const key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest()
    const tx2 = randomBytes(12)
    const second = await ask(message(ALLOCATE, tx2, [transport, [A.USERNAME, Buffer.from(username)], [A.REALM, realm], [A.NONCE, nonce]], key), tx2)
    if (second.type === ALLOCATE_OK) return { ok: true, relayed: relayed(second.attrs, tx2) }
    if (second.type !== ALLOCATE_ERR) throw new Error(`unexpected STUN message type ${second.type}`)
    return errorOf(second.attrs)
  } finally {
    sock.close()
  }
}

function errorOf (attrs: Map<number, Buffer>): AllocateResult {
  const e = attrs.get(A.ERROR_CODE)
  if (e === undefined) return { ok: false, code: 0, reason: 'no error code' }
  return { ok: false, code: (e[2]! & 7) * 100 + e[3]!, reason: e.subarray(4).toString() }
}

function relayed (attrs: Map<number, Buffer>, _tx: Buffer): string {
  const v = attrs.get(A.XOR_RELAYED_ADDRESS)
  if (v === undefined) throw new Error('Allocate succeeded without a relayed address')
  const port = v.readUInt16BE(2) ^ (MAGIC >>> 16)
  if (v[1] === 1) {
    const ip = (v.readUInt32BE(4) ^ MAGIC) >>> 0
    return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`
  }
  return `[ipv6]:${port}`
}
