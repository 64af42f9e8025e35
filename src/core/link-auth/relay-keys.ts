// Keys for the relay path, where the server carries the bytes and must learn
// nothing. Each side contributes a fresh ephemeral key; ECDH gives a shared point,
// and HMAC-SHA256 (HKDF-style extract/expand) splits it into one AES-256-GCM key per
// direction so the two directions never share a nonce space. The identity
// signatures over both ephemeral keys (binding.ts, mode 'relay') are what stop the
// server from substituting its own.

import { Hash, type PrivateKey, type PublicKey } from '@bsv/sdk'
import type { LinkRole } from './binding.ts'

export interface RelayKeys {
  send: Uint8Array
  receive: Uint8Array
}

export function deriveRelayKeys (
  mine: PrivateKey, theirs: PublicKey, myRole: LinkRole, offererEph: Uint8Array, answererEph: Uint8Array
): RelayKeys {
  const shared = mine.deriveSharedSecret(theirs)
  const x = shared.getX().toArray('be', 32)
  const prk = Hash.sha256hmac([...new TextEncoder().encode('handover/relay/v1')], [...x, ...offererEph, ...answererEph])
  const o2a = Uint8Array.from(Hash.sha256hmac(prk, [...new TextEncoder().encode('offerer->answerer'), 1]))
  const a2o = Uint8Array.from(Hash.sha256hmac(prk, [...new TextEncoder().encode('answerer->offerer'), 1]))
  return myRole === 'offerer' ? { send: o2a, receive: a2o } : { send: a2o, receive: o2a }
}
