// One-scan invite: the room on the signalling service plus the inviter's identity
// key. The key is what makes the invite safe on an untrusted server: the scanning
// phone refuses any peer that cannot sign with it.
//   u8 header (version << 4 | invite), 16 room id, 33 compressed identity key

import { base45Decode, base45Encode, Base45Error, stripLineBreaks } from '../sdp/base45.ts'
import { PayloadError, payloadHeader, readPayloadHeader } from '../sdp/kinds.ts'
import { LinkAuthError, parseIdentityKey } from './binding.ts'

export interface Invite {
  /** 32 lowercase hex chars */
  room: string
  /** compressed public key, hex */
  identityKey: string
}

export class InviteError extends PayloadError {
  override name = 'InviteError'
}

const hex = (b: Uint8Array): string => Array.from(b, x => x.toString(16).padStart(2, '0')).join('')
const unhex = (s: string): number[] => s.match(/../g)?.map(h => parseInt(h, 16)) ?? []

export function encodeInvite (inv: Invite): string {
  if (!/^[0-9a-f]{32}$/.test(inv.room)) throw new InviteError('room id must be 32 lowercase hex chars')
  const key = parseIdentityKey(inv.identityKey).toDER() as number[]
  return base45Encode(Uint8Array.from([payloadHeader('invite'), ...unhex(inv.room), ...key]))
}

export function decodeInvite (text: string): Invite {
  let b: Uint8Array
  try {
    b = base45Decode(stripLineBreaks(text))
  } catch (e) {
    if (e instanceof Base45Error) throw new InviteError(`This is not a Handover invite: ${e.message}`)
    throw e
  }
  const kind = readPayloadHeader(b[0])
  if (kind !== 'invite') throw new InviteError(`expected an invite, got a connection ${kind}`)
  if (b.length !== 1 + 16 + 33) throw new InviteError(`invite has ${b.length} bytes, expected 50`)
  const identityKey = hex(b.subarray(17))
  try {
    parseIdentityKey(identityKey)
  } catch (e) {
    if (e instanceof LinkAuthError) throw new InviteError(`invite carries a bad identity key: ${e.message}`)
    throw e
  }
  return { room: hex(b.subarray(1, 17)), identityKey }
}
