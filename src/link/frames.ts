// Messages become frames of at most 16 KiB: the size every WebRTC stack delivers
// intact (Firefox cuts larger ones), and one relay frame on the WebSocket.
//   u8 kind (0 = message chunk) | u32 message seq | u16 chunk index | u16 chunk count | bytes

import { LinkError } from './errors.ts'

export const FRAME_SIZE = 16 * 1024
const HEADER = 9
export const CHUNK_PAYLOAD = FRAME_SIZE - HEADER
const KIND_CHUNK = 0

export function splitMessage (seq: number, bytes: Uint8Array): Uint8Array[] {
  const count = Math.max(1, Math.ceil(bytes.length / CHUNK_PAYLOAD))
  if (count > 0xffff) throw new LinkError('protocol', 'message too large to frame')
  const frames: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const part = bytes.subarray(i * CHUNK_PAYLOAD, (i + 1) * CHUNK_PAYLOAD)
    const f = new Uint8Array(HEADER + part.length)
    const dv = new DataView(f.buffer)
    dv.setUint8(0, KIND_CHUNK); dv.setUint32(1, seq >>> 0); dv.setUint16(5, i); dv.setUint16(7, count)
    f.set(part, HEADER)
    frames.push(f)
  }
  return frames
}

/** Reassembles in-order chunks (the channel is ordered), refusing anything inconsistent. */
export class Reassembler {
  private seq = -1
  private parts: Uint8Array[] = []
  private size = 0
  private expected = 0

  /** `shownLimit`: the limit as the caller configured it (the wire adds a small envelope). */
  constructor (private readonly maxMessageBytes: number, private readonly shownLimit = maxMessageBytes) {}

  push (frame: Uint8Array): Uint8Array | undefined {
    if (frame.length < HEADER || frame.length > FRAME_SIZE) throw new LinkError('protocol', `peer sent a frame of ${frame.length} bytes`)
    const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
    if (dv.getUint8(0) !== KIND_CHUNK) throw new LinkError('protocol', 'peer sent an unknown frame kind')
    const seq = dv.getUint32(1); const index = dv.getUint16(5); const count = dv.getUint16(7)
    if (count === 0 || index >= count) throw new LinkError('protocol', 'peer sent a malformed frame')
    if (index === 0) {
      if (this.parts.length > 0) throw new LinkError('protocol', 'peer started a message before finishing the last')
      if ((count - 1) * CHUNK_PAYLOAD >= this.maxMessageBytes) {
        throw new LinkError('protocol', `peer announced a message over the ${this.shownLimit}-byte limit`)
      }
      this.seq = seq; this.expected = count; this.size = 0
    } else if (seq !== this.seq || index !== this.parts.length || count !== this.expected) {
      throw new LinkError('protocol', 'peer sent frames out of order')
    }
    const body = frame.subarray(HEADER)
    this.size += body.length
    if (this.size > this.maxMessageBytes) throw new LinkError('protocol', `peer sent a message over the ${this.shownLimit}-byte limit`)
    this.parts.push(body.slice())
    if (this.parts.length < count) return undefined
    const out = new Uint8Array(this.size)
    let o = 0
    for (const p of this.parts) { out.set(p, o); o += p.length }
    this.parts = []
    return out
  }
}
