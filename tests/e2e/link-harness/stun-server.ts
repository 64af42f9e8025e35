// A minimal STUN server (RFC 8489 Binding only) for tests: answers each Binding request
// with the address it came from (XOR-MAPPED-ADDRESS), which is all a browser needs to
// gather a server-reflexive candidate. No authentication, no other methods.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { isIPv4 } from 'node:net'

const MAGIC = 0x2112a442

export interface StunServer {
  port: number
  requests: number
  close: () => Promise<void>
}

export async function stunServer (host: string): Promise<StunServer> {
  const sock: Socket = createSocket(isIPv4(host) ? 'udp4' : 'udp6')
  const state = { requests: 0 }
  sock.on('message', (msg: Buffer, from: RemoteInfo) => {
    // Binding request: type 0x0001, magic cookie, 12-byte transaction id
    if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0001 || msg.readUInt32BE(4) !== MAGIC) return
    state.requests++
    const v4 = from.family === 'IPv4'
    const addr = v4 ? Buffer.from(from.address.split('.').map(Number)) : ipv6Bytes(from.address)
    const value = Buffer.alloc(4 + addr.length)
    value.writeUInt8(0, 0); value.writeUInt8(v4 ? 1 : 2, 1)
    value.writeUInt16BE(from.port ^ (MAGIC >>> 16), 2)
    const key = Buffer.concat([Buffer.alloc(4), msg.subarray(8, 20)]); key.writeUInt32BE(MAGIC, 0)
    for (let i = 0; i < addr.length; i++) value[4 + i] = addr[i]! ^ key[i]!
    const attr = Buffer.alloc(4); attr.writeUInt16BE(0x0020, 0); attr.writeUInt16BE(value.length, 2)
    const head = Buffer.alloc(20); head.writeUInt16BE(0x0101, 0); head.writeUInt16BE(attr.length + value.length, 2)
    msg.copy(head, 4, 4, 20)
    sock.send(Buffer.concat([head, attr, value]), from.port, from.address)
  })
  await new Promise<void>(r => sock.bind(0, host, () => r()))
  return {
    port: sock.address().port,
    get requests () { return state.requests },
    close: async () => { await new Promise<void>(r => sock.close(() => r())) }
  }
}

function ipv6Bytes (a: string): Buffer {
  const [head = '', tail = ''] = a.split('::')
  const h = head === '' ? [] : head.split(':'); const t = tail === '' ? [] : tail.split(':')
  const groups = a.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h
  return Buffer.from(groups.flatMap(g => { const n = parseInt(g, 16); return [n >> 8, n & 0xff] }))
}
