// A protocol message as it crosses a camera: the same `request` / `payment` / `ack` the
// WebRTC link carries, wrapped in bytes that a signature covers. There is no channel to
// bind a handshake to (the camera is a physical channel: you see which phone you point
// at), so each message carries its sender's identity key and a signature instead:
//   - request: signed by the key it names as payeeIdentityKey (the contact the payer sees);
//   - payment: signed by the payer's identity key (the ledger names who paid, as over a link);
//   - ack:     signed by the payee, and the payer accepts it only from the key its request
//              named, so a bystander's screen cannot tell the payer "accepted".
// The BEEF travels as raw bytes, not hex: half the frames to film.
import { Hash, PrivateKey, PublicKey, Signature, Utils } from '@bsv/sdk'
import { parseMessage, type AckMessage, type Message, type PaymentMessage, type RequestMessage } from '../protocol/index.ts'

export type CameraMessage = RequestMessage | PaymentMessage | AckMessage
export type CameraKind = CameraMessage['type']

/** Largest envelope we accept from a camera: a 3-input payment is ~2 KB; full unproven ancestry rarely passes 20 KB. */
export const MAX_CAMERA_BYTES = 96 * 1024

const MAGIC = [0x48, 0x4f, 0x43, 0x01] // "HOC" v1
const KINDS: readonly CameraKind[] = ['request', 'payment', 'ack']
const TAG = Utils.toArray('handover camera message v1', 'utf8')

export class CameraCodeError extends Error {
  constructor (readonly code: 'not-handover' | 'too-large' | 'malformed' | 'bad-signature' | 'wrong-kind' | 'wrong-signer' | 'wrong-payment', message: string) {
    super(message)
    this.name = 'CameraCodeError'
  }
}

export interface OpenedEnvelope<M extends CameraMessage = CameraMessage> {
  message: M
  /** Compressed identity key (hex) whose signature the envelope carries, verified. */
  signer: string
}

const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
const readU32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!

function digestInput (body: ArrayLike<number>): number[] {
  return [...TAG, ...Array.from(body)]
}

/** Signs and packs one message. The message must be valid as our own protocol parser reads it. */
export function sealEnvelope (m: CameraMessage, identity: PrivateKey): Uint8Array {
  let json: string
  let bin: number[] = []
  if (m.type === 'payment') {
    const { beef, ...rest } = m
    json = JSON.stringify(rest)
    bin = Utils.toArray(beef, 'hex')
  } else {
    json = JSON.stringify(m)
  }
  const checked = parseMessage(JSON.stringify(m))
  if (!checked.ok) throw new Error(`refusing to show an invalid ${m.type}: ${checked.error.message}`)
  const jsonBytes = Utils.toArray(json, 'utf8')
  const body = [
    ...MAGIC, KINDS.indexOf(m.type),
    ...u32(jsonBytes.length), ...jsonBytes,
    ...u32(bin.length), ...bin,
    ...identity.toPublicKey().encode(true) as number[]
  ]
  const sig = identity.sign(digestInput(body)).toDER() as number[]
  return Uint8Array.from([...body, sig.length, ...sig])
}

/**
 * Unpacks, validates (the protocol's own schemas and caps) and checks the signature.
 * Throws CameraCodeError with a sentence for the screen.
 */
export function openEnvelope (bytes: Uint8Array): OpenedEnvelope {
  if (bytes.length > MAX_CAMERA_BYTES) throw new CameraCodeError('too-large', `The code holds ${bytes.length} bytes; a payment by camera is at most ${MAX_CAMERA_BYTES}.`)
  if (bytes.length < 4 + 1 + 4 + 4 + 33 + 1 || MAGIC.some((b, i) => bytes[i] !== b)) throw new CameraCodeError('not-handover', 'This is not a Handover payment code.')
  const kind = KINDS[bytes[4]!]
  if (kind === undefined) throw new CameraCodeError('malformed', 'The code is damaged (unknown message kind).')
  let at = 5
  const jsonLen = readU32(bytes, at); at += 4
  if (at + jsonLen + 4 > bytes.length) throw new CameraCodeError('malformed', 'The code is damaged (length out of range).')
  const jsonText = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(at, at + jsonLen)); at += jsonLen
  const binLen = readU32(bytes, at); at += 4
  if (at + binLen + 33 + 1 > bytes.length) throw new CameraCodeError('malformed', 'The code is damaged (length out of range).')
  const bin = bytes.subarray(at, at + binLen); at += binLen
  const keyBytes = Array.from(bytes.subarray(at, at + 33)); at += 33
  const bodyEnd = at
  const sigLen = bytes[at]!; at += 1
  if (at + sigLen !== bytes.length) throw new CameraCodeError('malformed', 'The code is damaged (signature length).')
  let raw: unknown
  try { raw = JSON.parse(jsonText) } catch { throw new CameraCodeError('malformed', 'The code is damaged (unreadable message).') }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CameraCodeError('malformed', 'The code is damaged (unreadable message).')
  const whole = kind === 'payment' ? { ...raw, beef: Utils.toHex(Array.from(bin)) } : raw
  if (kind !== 'payment' && binLen !== 0) throw new CameraCodeError('malformed', 'The code is damaged (unexpected data).')
  const parsed = parseMessage(JSON.stringify(whole))
  if (!parsed.ok) throw new CameraCodeError(parsed.error.code === 'TOO_LARGE' ? 'too-large' : 'malformed', `The code holds an invalid message (${parsed.error.message}).`)
  if (parsed.value.type !== kind) throw new CameraCodeError('malformed', 'The code is damaged (kind does not match its message).')
  let key: PublicKey
  let sig: Signature
  try {
    key = PublicKey.fromString(Utils.toHex(keyBytes))
    sig = Signature.fromDER(Array.from(bytes.subarray(bodyEnd + 1)))
  } catch {
    throw new CameraCodeError('bad-signature', 'The code carries an unreadable signature.')
  }
  if (!key.verify(digestInput(bytes.subarray(0, bodyEnd)), sig)) throw new CameraCodeError('bad-signature', 'The code\'s signature does not match its contents: refused.')
  return { message: parsed.value as CameraMessage, signer: key.toString() }
}

/** Envelope id for display and dedup: first 8 bytes of its hash. */
export function envelopeId (bytes: Uint8Array): string {
  return Utils.toHex(Hash.sha256(Array.from(bytes)).slice(0, 8))
}

/** A request, checked: signed by the very key it names as the payee. */
export function openRequest (bytes: Uint8Array): OpenedEnvelope<RequestMessage> {
  const o = openEnvelope(bytes)
  if (o.message.type !== 'request') throw new CameraCodeError('wrong-kind', 'This code is not a payment request. Scan the code on the Receive screen of the payee\'s phone.')
  if (o.signer !== o.message.payeeIdentityKey) throw new CameraCodeError('wrong-signer', 'This request is signed by another key than the payee it names: refused.')
  return o as OpenedEnvelope<RequestMessage>
}

/** A payment for our request `paymentId`. */
export function openPayment (bytes: Uint8Array, paymentId: string): OpenedEnvelope<PaymentMessage> {
  const o = openEnvelope(bytes)
  if (o.message.type !== 'payment') throw new CameraCodeError('wrong-kind', 'This code is not a payment. Ask the payer to show the moving code their phone shows after they confirm.')
  if (o.message.paymentId !== paymentId) throw new CameraCodeError('wrong-payment', 'This payment is for another request, not the one on this screen: refused. Nothing was received.')
  return o as OpenedEnvelope<PaymentMessage>
}

/** The payee's answer to our payment, signed by the payee our request named. */
export function openAck (bytes: Uint8Array, paymentId: string, payeeKey: string): OpenedEnvelope<AckMessage> {
  const o = openEnvelope(bytes)
  if (o.message.type !== 'ack') throw new CameraCodeError('wrong-kind', 'This code is not the payee\'s answer. Scan the code the payee\'s phone shows after it checked your payment.')
  if (o.signer !== payeeKey) throw new CameraCodeError('wrong-signer', 'This answer is not signed by the payee you are paying: ignored.')
  if (o.message.paymentId !== paymentId) throw new CameraCodeError('wrong-payment', 'This answer is about another payment: ignored.')
  return o as OpenedEnvelope<AckMessage>
}
