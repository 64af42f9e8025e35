// The relay Transport: frames travel through the signalling service as binary
// WebSocket messages, sealed with AES-256-GCM under keys only the two phones know.
//   [0x01][33-byte ephemeral key]                key exchange, once per side
//   [0x02][AES-GCM(frame), nonce = 4 zero bytes + u64 counter]
// Counters are implicit and strictly increasing, so a server that drops,
// reorders, replays or alters a frame breaks decryption and the link closes.

import { PrivateKey, PublicKey } from '@bsv/sdk'
import { deriveRelayKeys, type ChannelBinding, type LinkRole } from '../core/link-auth/index.ts'
import { LinkError } from './errors.ts'
import type { SignalClient } from './signal-client.ts'
import type { Transport } from './transport.ts'

const KX = 1
const DATA = 2

function nonce (n: number): Uint8Array {
  const iv = new Uint8Array(12)
  new DataView(iv.buffer).setBigUint64(4, BigInt(n))
  return iv
}

async function aesKey (raw: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return await crypto.subtle.importKey('raw', raw as BufferSource, 'AES-GCM', false, [usage])
}

/**
 * Buffers relay frames from the moment the signalling socket is paired, so a key
 * exchange that arrives while we're still trying WebRTC is not lost.
 */
export class RelayInbox {
  private readonly frames: Uint8Array[] = []
  private sink?: (f: Uint8Array) => void
  private kxWaiter?: () => void
  peerKx?: Uint8Array

  constructor (signal: SignalClient) {
    signal.on('binary', f => {
      if (f[0] === KX && f.length === 34 && this.peerKx === undefined) {
        this.peerKx = f.slice(1)
        this.kxWaiter?.()
        return
      }
      if (this.sink !== undefined) this.sink(f); else this.frames.push(f)
    })
  }

  async waitKx (timeoutMs: number): Promise<Uint8Array> {
    if (this.peerKx !== undefined) return this.peerKx
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new LinkError('timeout', 'The other phone did not start the relay in time.')), timeoutMs)
      this.kxWaiter = () => { clearTimeout(t); resolve() }
    })
    return this.peerKx!
  }

  onKx (cb: () => void): void { this.kxWaiter = cb }

  drain (sink: (f: Uint8Array) => void): void {
    this.sink = sink
    this.frames.splice(0).forEach(sink)
  }
}

export async function relayTransport (
  signal: SignalClient, inbox: RelayInbox, role: LinkRole, timeoutMs = 10_000
): Promise<Transport> {
  const eph = PrivateKey.fromRandom()
  const myEph = Uint8Array.from(eph.toPublicKey().toDER() as number[])
  await signal.sendBinary(Uint8Array.from([KX, ...myEph]))
  const theirEph = await inbox.waitKx(timeoutMs)
  let theirKey: PublicKey
  try { theirKey = PublicKey.fromDER([...theirEph]) } catch { throw new LinkError('protocol', 'The other phone sent an invalid relay key.') }
  const [ephO, ephA] = role === 'offerer' ? [myEph, theirEph] : [theirEph, myEph]
  const keys = deriveRelayKeys(eph, theirKey, role, ephO, ephA)
  const sendKey = await aesKey(keys.send, 'encrypt')
  const recvKey = await aesKey(keys.receive, 'decrypt')
  const binding: ChannelBinding = { mode: 'relay', offerer: ephO, answerer: ephA }

  let sendCounter = 0
  let recvCounter = 0
  let sendChain: Promise<void> = Promise.resolve()
  let recvChain: Promise<void> = Promise.resolve()
  let closed = false
  const closeCbs: Array<(r: string) => void> = []
  const frameCbs: Array<(f: Uint8Array) => void> = []
  const fireClose = (reason: string): void => {
    if (closed) return
    closed = true
    closeCbs.forEach(cb => cb(reason))
  }
  // Queue behind frames still being decrypted, so a goodbye that arrived just
  // before the peer left is still read.
  const closeAfterPending = (reason: string): void => { recvChain = recvChain.then(() => fireClose(reason)) }
  signal.on('peer-left', () => closeAfterPending('the other phone left the relay'))
  signal.on('close', () => closeAfterPending('relay connection closed'))

  inbox.drain(f => {
    recvChain = recvChain.then(async () => {
      if (closed) return
      if (f[0] !== DATA) { fireClose('unexpected relay frame'); return }
      try {
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce(recvCounter++) as BufferSource }, recvKey, f.subarray(1) as BufferSource)
        const bytes = new Uint8Array(plain)
        frameCbs.forEach(cb => cb(bytes))
      } catch {
        fireClose('a relayed frame failed authentication (tampered, replayed or dropped)')
        signal.close()
      }
    })
  })

  return {
    kind: 'relay',
    path: 'relay',
    role,
    binding,
    async send (frame) {
      if (closed) throw new LinkError('closed', 'The relay connection is closed.')
      const n = sendCounter++
      const sealed = crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce(n) as BufferSource }, sendKey, frame as BufferSource)
      const run = sendChain.then(async () => {
        const c = new Uint8Array(await sealed)
        const out = new Uint8Array(c.length + 1)
        out[0] = DATA; out.set(c, 1)
        await signal.sendBinary(out)
      })
      sendChain = run.catch(() => {})
      await run
    },
    onFrame (cb) { frameCbs.push(cb) },
    onClose (cb) { closeCbs.push(cb) },
    close () { fireClose('closed'); signal.close() }
  }
}
