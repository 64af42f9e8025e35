// Wire format of the signalling service, shared by the Node server and the browser
// client. JSON text frames for control; binary frames are opaque relay ciphertext
// the server forwards without reading. Pure (valibot only) so both sides import it.

import * as v from 'valibot'

/** 16 random bytes as lowercase hex: unguessable, and fits the invite QR as 16 bytes. */
export const RoomIdSchema = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/, 'room id must be 32 hex chars'))
export type RoomId = v.InferOutput<typeof RoomIdSchema>

/** Largest SDP/candidate blob a client may pass through `signal`. */
export const MAX_SIGNAL_JSON = 8 * 1024
/** Largest binary relay frame (one 16 KiB chunk + framing + AEAD overhead). */
export const MAX_RELAY_FRAME = 17 * 1024
/** ws maxPayload: anything bigger is cut off by the server with close code 1009. */
export const MAX_WS_MESSAGE = MAX_RELAY_FRAME + 1024

export const ClientMessageSchema = v.variant('t', [
  v.strictObject({ t: v.literal('create') }),
  v.strictObject({ t: v.literal('join'), room: RoomIdSchema }),
  v.strictObject({ t: v.literal('signal'), data: v.record(v.string(), v.unknown()) }),
  v.strictObject({ t: v.literal('leave') })
])
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>

export const ErrorCodes = [
  'bad-message', 'rate-limited', 'room-not-found', 'room-full', 'not-in-room',
  'already-in-room', 'expired', 'too-large', 'server-busy'
] as const
export type SignalErrorCode = typeof ErrorCodes[number]

export const ServerMessageSchema = v.variant('t', [
  v.strictObject({ t: v.literal('created'), room: RoomIdSchema, expiresInMs: v.number() }),
  v.strictObject({ t: v.literal('joined'), room: RoomIdSchema }),
  v.strictObject({ t: v.literal('peer-joined') }),
  v.strictObject({ t: v.literal('peer-left') }),
  v.strictObject({ t: v.literal('signal'), data: v.record(v.string(), v.unknown()) }),
  v.strictObject({ t: v.literal('error'), code: v.picklist(ErrorCodes), message: v.string() })
])
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>

export const ERROR_TEXT: Record<SignalErrorCode, string> = {
  'bad-message': 'The signalling server did not understand a message.',
  'rate-limited': 'Too many attempts in a short time; wait a minute and try again.',
  'room-not-found': 'This invite has expired or was already used; ask for a fresh QR code.',
  'room-full': 'Someone else already answered this invite; ask for a fresh QR code.',
  'not-in-room': 'Not connected to a peer yet.',
  'already-in-room': 'This connection is already paired.',
  expired: 'The invite timed out; make a new one.',
  'too-large': 'A message was larger than the server allows.',
  'server-busy': 'The signalling server is full right now; try again shortly.'
}
