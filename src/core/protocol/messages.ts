import * as v from 'valibot'
import { REASON_CODES, ReasonCode } from './reasons.ts'
import { err, ok } from './result.ts'
import type { Result } from './result.ts'
import { MAX_SATOSHIS } from '../amount.ts'
import { NETWORKS, type Network } from '../network.ts'

/**
 * Wire messages of the face-to-face payment protocol (version 1).
 *
 * Every message is `{ v: 1, type, id, ... }` as JSON text. Names follow BIP270
 * (PaymentRequest / Payment / PaymentACK) where they overlap: `network`, `outputs`,
 * `memo`, `creationTimestamp`, `expirationTimestamp`, `refundTo`, `script`.
 * Deviation: outputs carry `satoshis` rather than BIP270's `amount`, so the unit is in
 * the name (the SDK and the rest of this app say satoshis).
 *
 * The BEEF in `payment` is lowercase hex: it is what the SDK reads and writes by
 * default (`Beef.fromString`, `toHexBEEF`), what ARC accepts, and it can be validated
 * with one linear regex; base64 would save a third of the bytes, which does not matter
 * for a few-KB payment under a 1 MiB cap.
 *
 * Timestamps are Unix seconds, as in BIP270.
 */

export const PROTOCOL_VERSION = 1 as const

/** Largest text `parseMessage` will even look at: the `payment` cap. */
export const MAX_MESSAGE_BYTES = 1024 * 1024
export const MESSAGE_CAPS: Readonly<Record<MessageType, number>> = {
  hello: 8 * 1024,
  request: 8 * 1024,
  payment: MAX_MESSAGE_BYTES,
  ack: 8 * 1024,
  // A single-tx BUMP is ~1.3 KB for today's blocks and ≤ 2.7 KB for the deepest tree
  // the format allows; as hex inside JSON that can pass 8 KiB.
  receipt: 16 * 1024,
  ping: 8 * 1024,
  pong: 8 * 1024
}

export const MAX_MEMO_CHARS = 200
export const MAX_REQUEST_OUTPUTS = 16
export const MAX_REFUND_OUTPUTS = 4
/** 21 million BSV in satoshis: no honest amount is larger. */
// One definition of networks and of the largest amount, shared with the wallet.
export { MAX_SATOSHIS }

export { NETWORKS, type Network }

export const BROADCAST_STATUSES = ['pending', 'queued', 'sent', 'seen', 'mined', 'failed'] as const
/** What the payee knows about its broadcast when it answers. */
export type BroadcastStatus = typeof BROADCAST_STATUSES[number]

export const MESSAGE_TYPES = ['hello', 'request', 'payment', 'ack', 'receipt', 'ping', 'pong'] as const
export type MessageType = typeof MESSAGE_TYPES[number]

export interface Output {
  /** Locking script, lowercase hex. */
  script: string
  satoshis: number
  description?: string
}

interface Envelope<T extends MessageType> {
  v: typeof PROTOCOL_VERSION
  type: T
  /** Message id, unique per sender; lets the link layer drop echoes. */
  id: string
}

export interface HelloMessage extends Envelope<'hello'> {
  /** Compressed secp256k1 public key, hex. */
  identityKey: string
  /** Signature binding the channel; its exact preimage is the link layer's business. */
  signature: string
}

export interface RequestMessage extends Envelope<'request'> {
  paymentId: string
  network: Network
  outputs: Output[]
  memo?: string
  creationTimestamp: number
  expirationTimestamp: number
  payeeIdentityKey: string
}

export interface PaymentMessage extends Envelope<'payment'> {
  paymentId: string
  /** BEEF (BRC-62 V1, BRC-96 V2 or BRC-95 Atomic), lowercase hex. */
  beef: string
  memo?: string
  refundTo?: Output[]
  /** Payer identity key for a refund to a derived key. */
  refundKey?: string
}

export interface AckAccepted extends Envelope<'ack'> {
  paymentId: string
  accepted: true
  txid: string
  broadcast: BroadcastStatus
  memo?: string
}

export interface AckRejected extends Envelope<'ack'> {
  paymentId: string
  accepted: false
  reason: ReasonCode
  /** Known when the BEEF parsed far enough to name the transaction. */
  txid?: string
  /** Diagnostic text for logs; never shown as the user-facing message. */
  detail?: string
}

export type AckMessage = AckAccepted | AckRejected

export interface ReceiptMessage extends Envelope<'receipt'> {
  paymentId: string
  txid: string
  /** BRC-74 BUMP, hex. */
  merklePath: string
  blockHeight: number
}

export interface PingMessage extends Envelope<'ping'> {}

export interface PongMessage extends Envelope<'pong'> {
  /** The `id` of the ping this answers. */
  replyTo: string
}

export type Message =
  | HelloMessage
  | RequestMessage
  | PaymentMessage
  | AckMessage
  | ReceiptMessage
  | PingMessage
  | PongMessage

// ---------------------------------------------------------------------------------
// Schemas. Hex must be lowercase because scripts and txids are compared as strings.

const hex = (maxChars: number, minChars = 0): v.GenericSchema<string> => v.pipe(
  v.string(),
  v.minLength(minChars),
  v.maxLength(maxChars),
  v.regex(/^(?:[0-9a-f]{2})*$/, 'must be lowercase hex with an even number of digits')
)

const MessageIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,80}$/, 'must be 1–80 of A–Z a–z 0–9 _ . : -'))
const PaymentIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 of A–Z a–z 0–9 _ -'))
const PubKeySchema = v.pipe(v.string(), v.regex(/^0[23][0-9a-f]{64}$/, 'must be a compressed public key in lowercase hex'))
const TxidSchema = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'))
const TimestampSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const SatoshisSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_SATOSHIS))
const MemoSchema = v.pipe(v.string(), v.maxLength(MAX_MEMO_CHARS))

const OutputSchema = v.object({
  // 10 kB covers every standard template; the 8 KiB request cap binds first anyway.
  script: hex(20_000, 2),
  satoshis: SatoshisSchema,
  description: v.optional(v.pipe(v.string(), v.maxLength(100)))
})

const envelope = <T extends MessageType>(type: T) => ({
  v: v.literal(PROTOCOL_VERSION),
  type: v.literal(type),
  id: MessageIdSchema
})

const HelloSchema = v.object({
  ...envelope('hello'),
  identityKey: PubKeySchema,
  signature: hex(1024, 2)
})

const RequestSchema = v.pipe(
  v.object({
    ...envelope('request'),
    paymentId: PaymentIdSchema,
    network: v.picklist(NETWORKS),
    outputs: v.pipe(v.array(OutputSchema), v.minLength(1), v.maxLength(MAX_REQUEST_OUTPUTS)),
    memo: v.optional(MemoSchema),
    creationTimestamp: TimestampSchema,
    expirationTimestamp: TimestampSchema,
    payeeIdentityKey: PubKeySchema
  }),
  v.check(r => r.expirationTimestamp > r.creationTimestamp, 'expirationTimestamp must be after creationTimestamp'),
  v.check(r => r.outputs.reduce((s, o) => s + o.satoshis, 0) > 0, 'a request must ask for more than 0 satoshis'),
  v.check(r => r.outputs.reduce((s, o) => s + o.satoshis, 0) <= MAX_SATOSHIS, 'total exceeds 21 million BSV')
)

const PaymentSchema = v.object({
  ...envelope('payment'),
  paymentId: PaymentIdSchema,
  // Smallest possible BEEF holding one tx is well over 10 bytes; the cap leaves room
  // for the JSON envelope inside MAX_MESSAGE_BYTES.
  beef: hex(MAX_MESSAGE_BYTES - 4096, 20),
  memo: v.optional(MemoSchema),
  refundTo: v.optional(v.pipe(v.array(OutputSchema), v.maxLength(MAX_REFUND_OUTPUTS))),
  refundKey: v.optional(PubKeySchema)
})

const AckAcceptedSchema = v.object({
  ...envelope('ack'),
  paymentId: PaymentIdSchema,
  accepted: v.literal(true),
  txid: TxidSchema,
  broadcast: v.picklist(BROADCAST_STATUSES),
  memo: v.optional(MemoSchema)
})

const AckRejectedSchema = v.object({
  ...envelope('ack'),
  paymentId: PaymentIdSchema,
  accepted: v.literal(false),
  reason: v.picklist(REASON_CODES),
  txid: v.optional(TxidSchema),
  detail: v.optional(v.pipe(v.string(), v.maxLength(500)))
})

const ReceiptSchema = v.object({
  ...envelope('receipt'),
  paymentId: PaymentIdSchema,
  txid: TxidSchema,
  merklePath: hex(12_000, 2),
  blockHeight: TimestampSchema
})

const PingSchema = v.object({ ...envelope('ping') })
const PongSchema = v.object({ ...envelope('pong'), replyTo: MessageIdSchema })

const SCHEMAS = {
  hello: HelloSchema,
  request: RequestSchema,
  payment: PaymentSchema,
  ack: v.variant('accepted', [AckAcceptedSchema, AckRejectedSchema]),
  receipt: ReceiptSchema,
  ping: PingSchema,
  pong: PongSchema
} as const

// Compile-time guard that the hand-written interfaces and the schemas agree both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const schemasMatchTypes: [
  Same<v.InferOutput<typeof HelloSchema>, HelloMessage>,
  Same<v.InferOutput<typeof RequestSchema>, RequestMessage>,
  Same<v.InferOutput<typeof PaymentSchema>, PaymentMessage>,
  Same<v.InferOutput<typeof SCHEMAS.ack>, AckMessage>,
  Same<v.InferOutput<typeof ReceiptSchema>, ReceiptMessage>,
  Same<v.InferOutput<typeof PingSchema>, PingMessage>,
  Same<v.InferOutput<typeof PongSchema>, PongMessage>
] = [true, true, true, true, true, true, true]
void schemasMatchTypes

// ---------------------------------------------------------------------------------

export const ProtocolErrorCode = {
  TOO_LARGE: 'TOO_LARGE',
  MALFORMED_JSON: 'MALFORMED_JSON',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  INVALID_FIELD: 'INVALID_FIELD'
} as const
export type ProtocolErrorCode = typeof ProtocolErrorCode[keyof typeof ProtocolErrorCode]

export interface ProtocolError {
  readonly code: ProtocolErrorCode
  /** The reason code to put in a rejecting `ack`, should the message have been a payment. */
  readonly reason: ReasonCode
  readonly message: string
  /** Set when the text got far enough to show them, so a bad `payment` can still be answered. */
  readonly type?: string
  readonly paymentId?: string
  /** Dotted path of the first invalid field. */
  readonly path?: string
}

function protocolError (code: ProtocolErrorCode, message: string, extra: Partial<ProtocolError> = {}): ProtocolError {
  const reason = code === 'TOO_LARGE' ? ReasonCode.TOO_LARGE : ReasonCode.MALFORMED
  return { code, reason, message, ...extra }
}

/** UTF-8 length without allocating: the cap is on bytes on the wire, not UTF-16 units. */
export function utf8ByteLength (s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { n += 4; i++ } else n += 3
  }
  return n
}

function isMessageType (t: unknown): t is MessageType {
  return typeof t === 'string' && (MESSAGE_TYPES as readonly string[]).includes(t)
}

function issuePath (issue: v.BaseIssue<unknown>): string | undefined {
  const keys = issue.path?.map(p => String(p.key))
  return keys === undefined || keys.length === 0 ? undefined : keys.join('.')
}

/**
 * Parses and validates one received message. Never throws.
 *
 * The size check runs before JSON.parse so a hostile peer cannot make us build a huge
 * object graph; per-type caps are applied right after, once the type is known.
 */
export function parseMessage (text: string): Result<Message, ProtocolError> {
  if (typeof text !== 'string') return err(protocolError('MALFORMED_JSON', 'message is not text'))
  // UTF-16 length is a lower bound of the byte length, so this rejects without a scan.
  if (text.length > MAX_MESSAGE_BYTES) return err(protocolError('TOO_LARGE', `message exceeds ${MAX_MESSAGE_BYTES} bytes`))
  const bytes = utf8ByteLength(text)
  if (bytes > MAX_MESSAGE_BYTES) return err(protocolError('TOO_LARGE', `message exceeds ${MAX_MESSAGE_BYTES} bytes`))

  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return err(protocolError('MALFORMED_JSON', 'message is not valid JSON'))
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return err(protocolError('MALFORMED_JSON', 'message is not a JSON object'))
  }
  const obj = raw as Record<string, unknown>
  const type = typeof obj.type === 'string' ? obj.type.slice(0, 32) : undefined
  const paymentId = typeof obj.paymentId === 'string' && v.is(PaymentIdSchema, obj.paymentId) ? obj.paymentId : undefined
  const extra: Partial<ProtocolError> = {
    ...(type !== undefined ? { type } : {}),
    ...(paymentId !== undefined ? { paymentId } : {})
  }

  if (obj.v !== PROTOCOL_VERSION) {
    return typeof obj.v === 'number'
      ? err(protocolError('UNSUPPORTED_VERSION', `protocol version ${obj.v} is not supported (this app speaks ${PROTOCOL_VERSION})`, extra))
      : err(protocolError('MALFORMED_JSON', 'message has no protocol version', extra))
  }
  if (!isMessageType(obj.type)) {
    return err(protocolError('UNKNOWN_TYPE', `unknown message type ${JSON.stringify(type ?? null)}`, extra))
  }
  const cap = MESSAGE_CAPS[obj.type]
  if (bytes > cap) return err(protocolError('TOO_LARGE', `${obj.type} message exceeds ${cap} bytes`, extra))

  const parsed = v.safeParse(SCHEMAS[obj.type], raw)
  if (!parsed.success) {
    const first = parsed.issues[0]
    const path = issuePath(first)
    return err(protocolError('INVALID_FIELD', `${obj.type}${path !== undefined ? '.' + path : ''}: ${first.message}`, {
      ...extra,
      ...(path !== undefined ? { path } : {})
    }))
  }
  return ok(parsed.output as Message)
}

export class ProtocolEncodeError extends Error {
  constructor (readonly error: ProtocolError) {
    super(error.message)
    this.name = 'ProtocolEncodeError'
  }
}

/**
 * Serializes a message we are about to send. Validates it with the same schema the
 * peer will use, and throws, because an invalid outgoing message is our own bug and
 * must not reach the wire.
 */
export function encodeMessage (m: Message): string {
  const text = JSON.stringify(m)
  const back = parseMessage(text)
  if (!back.ok) throw new ProtocolEncodeError(back.error)
  return text
}

/** Type guard helpers for callers that switch on a parsed message. */
export function isPaymentMessage (m: Message): m is PaymentMessage { return m.type === 'payment' }
export function isAckMessage (m: Message): m is AckMessage { return m.type === 'ack' }
export function isRequestMessage (m: Message): m is RequestMessage { return m.type === 'request' }
