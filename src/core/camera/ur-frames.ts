// Bytes ↔ QR texts in the Uniform Resources format (BC-UR, as air-gapped Bitcoin signers
// use): one `ur:bytes/...` text for a small message, or an endless fountain of
// `ur:bytes/n-m/...` parts for a large one, so the receiving camera can start anywhere
// and miss frames. Texts are upper case: QR's alphanumeric mode packs them ~40% tighter.
//
// The library checks each part's CRC32 (bytewords) and the whole message's CRC32; on top
// we bound what a hostile code can make us hold (parts, bytes) before trusting anything.
import { Buffer } from 'buffer'
import { UR, UREncoder, URDecoder } from '@gandlaf21/bc-ur'
import { MAX_CAMERA_BYTES } from './envelope.ts'
import { withDetail } from '../plain-detail.ts'

/** Bytes per fountain fragment: ~650 alphanumeric chars a frame, QR version ~17 at EC M (bench/qr-handover.ts: 300 B hands 3 inputs over in about half the time of 200 B). */
export const DEFAULT_FRAGMENT_BYTES = 300
/** For old phones ("Slower"): smaller, sparser frames. */
export const SLOW_FRAGMENT_BYTES = 110
/** Most parts a message may be cut into: MAX_CAMERA_BYTES at the smallest fragment, with room. */
export const MAX_PARTS = Math.ceil(MAX_CAMERA_BYTES / 60)

export interface FrameSource {
  /** How many distinct fragments the message was cut into (1 for a single static code). */
  readonly fragments: number
  /** The next text to show: cycles through the fragments, then endless fountain mixes. */
  next (): string
}

/** A single static code (request, ack): small enough for one QR. */
export function singleCode (bytes: Uint8Array): string {
  return UREncoder.encodeSinglePart(UR.fromBuffer(Buffer.from(bytes))).toUpperCase()
}

/** An animated code for `bytes`. */
export function animatedCode (bytes: Uint8Array, fragmentBytes = DEFAULT_FRAGMENT_BYTES): FrameSource {
  const enc = new UREncoder(UR.fromBuffer(Buffer.from(bytes)), fragmentBytes, 0, Math.min(10, fragmentBytes))
  return { fragments: enc.fragmentsLength, next: () => enc.nextPart().toUpperCase() }
}

export type ReadProgress =
  /** Not a UR at all (another QR in view): nothing to say. */
  | { kind: 'ignored' }
  /** A UR part that failed its own checksum (a misread frame, or a forged one): skipped. */
  | { kind: 'damaged', damaged: number }
  /** Parts so far: `received` of about `expected` fragments. */
  | { kind: 'progress', received: number, expected: number }
  | { kind: 'done', bytes: Uint8Array }
  /** The code can never give a message we accept: start over with another code. */
  | { kind: 'refused', reason: string }

const SEQ = /^UR:([A-Z0-9-]+)\/(?:(\d{1,9})-(\d{1,9})\/)?[A-Z]+$/

/**
 * Reassembles one message from scanned texts in any order, with repeats and gaps.
 * Feed it every decoded text; it answers what the screen should say.
 */
export class CodeReader {
  private decoder = new URDecoder()
  private damaged = 0
  private finished: ReadProgress | undefined

  constructor (private readonly maxBytes = MAX_CAMERA_BYTES) {}

  push (text: string): ReadProgress {
    if (this.finished !== undefined) return this.finished
    const upper = text.trim().toUpperCase()
    const m = SEQ.exec(upper)
    if (m === null) return { kind: 'ignored' }
    if (m[1] !== 'BYTES') return this.refuse(`This is a “${m[1]!.toLowerCase()}” code from another app, not a Handover payment.`)
    if (m[3] !== undefined && Number(m[3]) > MAX_PARTS) return this.refuse(`The code claims ${m[3]} parts; a payment by camera has at most ${MAX_PARTS}: refused.`)
    // A single-part code longer than any honest one is refused before decoding it.
    if (m[3] === undefined && upper.length > 2 * this.maxBytes + 64) return this.refuse('The code is larger than any payment: refused.')
    let accepted: boolean
    try {
      accepted = this.decoder.receivePart(upper.toLowerCase())
    } catch {
      // bytewords' CRC32 per part, or a part whose CBOR is not a fountain part.
      this.damaged++
      return { kind: 'damaged', damaged: this.damaged }
    }
    const expectedBytes = (this.decoder as unknown as { fountainDecoder: { expectedMessageLength: number } }).fountainDecoder.expectedMessageLength
    if (expectedBytes > this.maxBytes) return this.refuse(withDetail('This code claims to be far bigger than any payment: refused. Nothing was received.', `it announces ${expectedBytes} bytes; a payment by camera is at most ${this.maxBytes}`))
    if (this.decoder.isError()) return this.refuse(withDetail('The code\'s parts do not fit together (a damaged or forged code): refused. Nothing was received.', 'checksum mismatch'))
    if (this.decoder.isSuccess()) {
      const out = this.decoder.resultUR().decodeCBOR() as Uint8Array
      if (out.length > this.maxBytes) return this.refuse(withDetail('This code holds far more than any payment: refused. Nothing was received.', `${out.length} bytes; a payment by camera is at most ${this.maxBytes}`))
      this.finished = { kind: 'done', bytes: Uint8Array.from(out) }
      return this.finished
    }
    if (!accepted && this.decoder.expectedPartCount() === 0) return { kind: 'ignored' }
    return { kind: 'progress', received: this.decoder.receivedPartIndexes().length, expected: this.decoder.expectedPartCount() }
  }

  private refuse (reason: string): ReadProgress {
    this.finished = { kind: 'refused', reason }
    return this.finished
  }
}
