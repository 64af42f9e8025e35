// First byte of every Handover QR payload: high nibble = format version, low nibble =
// what the payload is. One byte lets a scanner tell an offer from an answer from an
// invite before parsing further, and reject a future version with a clear message.

export const PAYLOAD_VERSION = 1

export const PayloadKind = {
  offer: 1,
  answer: 2,
  invite: 3
} as const
export type PayloadKindName = keyof typeof PayloadKind

export class PayloadError extends Error {
  override name = 'PayloadError'
}

export function payloadHeader (kind: PayloadKindName): number {
  return (PAYLOAD_VERSION << 4) | PayloadKind[kind]
}

/** Reads the header byte; throws a PayloadError a person can act on. */
export function readPayloadHeader (byte: number | undefined): PayloadKindName {
  if (byte === undefined) throw new PayloadError('This QR code is empty.')
  const version = byte >> 4
  if (version !== PAYLOAD_VERSION) {
    throw new PayloadError(version > PAYLOAD_VERSION
      ? `This QR code comes from a newer Handover (format ${version}); update the app on this phone.`
      : `This QR code is not a Handover code (unknown format ${version}).`)
  }
  const code = byte & 0x0f
  for (const [name, value] of Object.entries(PayloadKind)) {
    if (value === code) return name as PayloadKindName
  }
  throw new PayloadError(`This QR code is not a Handover code (unknown kind ${code}).`)
}
