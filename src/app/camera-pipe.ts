// The same MessagePipe the payment sessions use over WebRTC, carried by two screens and two
// cameras instead: `send` puts the message on this phone's screen as a code (one static QR,
// or an animated fountain for a payment), and what the camera reads from the other phone
// arrives through `deliver` once it is reassembled, signature-checked and re-validated.
// The sessions cannot tell the difference: verification, persist-before-hand-over, the
// outbox deadline and the ledger stay exactly those of a link.
import type { PrivateKey } from '@bsv/sdk'
import { sealEnvelope, type CameraMessage } from '../core/camera/envelope.ts'
import { animatedCode, DEFAULT_FRAGMENT_BYTES, singleCode, type FrameSource } from '../core/camera/ur-frames.ts'
import type { Message, ProtocolError } from '../core/protocol/index.ts'
import type { MessagePipe } from './protocol-link.ts'

export interface ShownCode {
  what: CameraMessage['type']
  /** A static code (request, ack). */
  text?: string
  /** An animated code (payment); `frames(fragmentBytes)` restarts it at another frame size. */
  frames?: (fragmentBytes: number) => FrameSource
  /** Bytes of the sealed message (the payment's size on screen). */
  bytes: number
}

export class CameraPipe implements MessagePipe {
  readonly mode = 'camera' as const
  /** No channel, no short code: the person sees which phone they film. */
  readonly sas = ''
  private shown: ShownCode | undefined
  private readonly messageCbs = new Set<(m: Message) => void>()
  private readonly closeCbs = new Set<(message: string) => void>()
  private pending: Message[] = []
  private closed = false

  /** `peerKey`: the other phone's identity key, proven by the signature of what we scanned from it. */
  constructor (private readonly identity: PrivateKey, readonly peerKey: string, private readonly changed: () => void) {}

  /** What this phone must show now, if anything. */
  get code (): ShownCode | undefined { return this.shown }

  async send (m: Message): Promise<void> {
    if (this.closed) throw new Error('The codes were closed.')
    // Only the three hand-over messages go by camera; a later receipt has no one filming it.
    if (m.type !== 'request' && m.type !== 'payment' && m.type !== 'ack') return
    const sealed = sealEnvelope(m, this.identity)
    this.shown = m.type === 'payment'
      ? { what: m.type, frames: (f = DEFAULT_FRAGMENT_BYTES) => animatedCode(sealed, f), bytes: sealed.length }
      : { what: m.type, text: singleCode(sealed), bytes: sealed.length }
    this.changed()
  }

  /** A message read from the other phone's screen, already opened and checked. */
  deliver (m: Message): void {
    if (this.closed) return
    if (this.messageCbs.size === 0) { this.pending.push(m); return }
    for (const cb of this.messageCbs) cb(m)
  }

  onMessage (cb: (m: Message) => void): () => void {
    this.messageCbs.add(cb)
    const queued = this.pending.splice(0)
    for (const m of queued) cb(m)
    return () => this.messageCbs.delete(cb)
  }

  // Codes that fail to open are refused by the reader before they become messages.
  onInvalid (_cb: (e: ProtocolError) => void): () => void { return () => {} }

  onClose (cb: (message: string) => void): () => void {
    this.closeCbs.add(cb)
    return () => this.closeCbs.delete(cb)
  }

  close (message = 'Closed.'): void {
    if (this.closed) return
    this.closed = true
    for (const cb of this.closeCbs) cb(message)
    this.changed()
  }
}
