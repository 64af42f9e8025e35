// What each phone signs to prove "the key you see is the one on the other end of
// this very channel". The signed bytes tie the identity key to the channel's
// transport keys: both DTLS certificate fingerprints for a direct WebRTC link, or
// both ephemeral ECDH keys for the relay. A man in the middle must terminate DTLS
// (or the key exchange) separately with each phone, so the two phones see
// different bindings, the signatures no longer verify, and the short
// authentication strings differ.

import { Hash, PrivateKey, PublicKey, Signature } from '@bsv/sdk'

export type LinkRole = 'offerer' | 'answerer'
export type BindingMode = 'dtls' | 'relay'

export class LinkAuthError extends Error {
  override name = 'LinkAuthError'
  constructor (readonly code: 'bad-signature' | 'unexpected-key' | 'bad-key' | 'bad-binding', message: string) {
    super(message)
  }
}

export interface ChannelBinding {
  mode: BindingMode
  /** transport key material of the offerer (inviter) and the answerer (joiner) */
  offerer: Uint8Array
  answerer: Uint8Array
}

export interface HelloProof {
  /** compressed public key, hex (66 chars) */
  identityKey: string
  /** DER ECDSA signature, hex */
  signature: string
}

const TAG = 'handover/link-hello/v1'

function lp (b: Uint8Array): number[] {
  if (b.length > 255) throw new LinkAuthError('bad-binding', 'binding element too long')
  return [b.length, ...b]
}

/** The exact bytes a side signs (ECDSA hashes them once more with SHA-256). */
export function helloTranscript (signer: LinkRole, binding: ChannelBinding): number[] {
  if (binding.offerer.length === 0 || binding.answerer.length === 0) {
    throw new LinkAuthError('bad-binding', 'channel binding is empty')
  }
  const enc = new TextEncoder()
  return Hash.sha256([
    ...lp(enc.encode(TAG)), ...lp(enc.encode(binding.mode)), ...lp(enc.encode(signer)),
    ...lp(binding.offerer), ...lp(binding.answerer)
  ])
}

export function signHello (identity: PrivateKey, signer: LinkRole, binding: ChannelBinding): HelloProof {
  const sig = identity.sign(helloTranscript(signer, binding))
  return {
    identityKey: identity.toPublicKey().toString(),
    signature: sig.toDER('hex') as string
  }
}

export function parseIdentityKey (hex: string): PublicKey {
  if (!/^0[23][0-9a-f]{64}$/i.test(hex)) throw new LinkAuthError('bad-key', 'identity key must be a 33-byte compressed public key')
  try {
    return PublicKey.fromString(hex)
  } catch {
    throw new LinkAuthError('bad-key', 'identity key is not a point on secp256k1')
  }
}

/**
 * Checks the peer's proof against the binding *we* observed. Returns the peer's key.
 * `expectedKey` (from an invite or a known contact) must match when given.
 */
export function verifyHello (proof: HelloProof, signer: LinkRole, binding: ChannelBinding, expectedKey?: string): PublicKey {
  const key = parseIdentityKey(proof.identityKey)
  if (expectedKey !== undefined && key.toString() !== expectedKey.toLowerCase()) {
    throw new LinkAuthError('unexpected-key',
      'The other phone is not the one whose code you scanned. Someone may be intercepting the connection; do not pay, and pair again face to face.')
  }
  let sig: Signature
  try {
    sig = Signature.fromDER(proof.signature, 'hex')
  } catch {
    throw new LinkAuthError('bad-signature', 'The other phone sent an unreadable identity proof.')
  }
  if (!key.verify(helloTranscript(signer, binding), sig)) {
    throw new LinkAuthError('bad-signature',
      'The connection is not end-to-end: the identity proof does not match this channel. Someone may be intercepting it; do not pay, and pair again.')
  }
  return key
}

/**
 * Six digits both screens show. Equal digits mean both phones see the same channel
 * keys; 1-in-a-million for an attacker to match by chance.
 */
export function shortAuthString (binding: ChannelBinding): string {
  const enc = new TextEncoder()
  const h = Hash.sha256([...lp(enc.encode('handover/sas/v1')), ...lp(enc.encode(binding.mode)), ...lp(binding.offerer), ...lp(binding.answerer)])
  const n = ((h[0]! << 24) >>> 0) + (h[1]! << 16) + (h[2]! << 8) + h[3]!
  const s = String(n % 1_000_000).padStart(6, '0')
  return `${s.slice(0, 3)} ${s.slice(3)}`
}
