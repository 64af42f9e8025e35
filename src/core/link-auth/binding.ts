// What each phone signs to prove "the key you see is the one on the other end of
// this very channel". The signed bytes tie the identity key to the channel's
// transport keys: both DTLS certificate fingerprints for a direct WebRTC link, or
// both ephemeral ECDH keys for the relay. A man in the middle must terminate DTLS
// (or the key exchange) separately with each phone, so the two phones see
// different bindings, the signatures no longer verify, and the short
// authentication strings differ.
//
// The transport keys are public before the handshake starts, so on their own they
// would let a man in the middle (one showing its own invite) grind its keys until
// both screens show the same six digits. The handshake (handshake.ts) therefore
// adds a fresh nonce from each side under commit-before-reveal, and the signatures
// and the short authentication string cover those nonces too.

import { Hash, PrivateKey, PublicKey, Signature } from '@bsv/sdk'

export type LinkRole = 'offerer' | 'answerer'
export type BindingMode = 'dtls' | 'relay'

export type LinkAuthErrorCode = 'bad-signature' | 'unexpected-key' | 'bad-key' | 'bad-binding' | 'bad-commitment' | 'out-of-order'

export class LinkAuthError extends Error {
  override name = 'LinkAuthError'
  constructor (readonly code: LinkAuthErrorCode, message: string) {
    super(message)
  }
}

export interface ChannelBinding {
  mode: BindingMode
  /** transport key material of the offerer (inviter) and the answerer (joiner) */
  offerer: Uint8Array
  answerer: Uint8Array
}

/** What both identity signatures cover: the channel, the offerer's commitment and the answerer's nonce. */
export interface HelloContext {
  binding: ChannelBinding
  /** SHA-256 commitment the offerer sent first (32 bytes) */
  commitment: Uint8Array
  /** the answerer's nonce, revealed in answer to the commitment (32 bytes) */
  answererNonce: Uint8Array
}

export interface HelloProof {
  /** compressed public key, hex (66 chars) */
  identityKey: string
  /** DER ECDSA signature, hex */
  signature: string
}

const TAG = 'handover/link-hello/v2'
const enc = new TextEncoder()

/** Length-prefixed, so no two different field lists share one byte string. */
export function lp (b: Uint8Array | number[]): number[] {
  if (b.length > 255) throw new LinkAuthError('bad-binding', 'binding element too long')
  return [b.length, ...b]
}

function checkBinding (binding: ChannelBinding): void {
  if (binding.offerer.length === 0 || binding.answerer.length === 0) {
    throw new LinkAuthError('bad-binding', 'channel binding is empty')
  }
}

/** The exact bytes a side signs (ECDSA hashes them once more with SHA-256). */
export function helloTranscript (signer: LinkRole, ctx: HelloContext): number[] {
  checkBinding(ctx.binding)
  return Hash.sha256([
    ...lp(enc.encode(TAG)), ...lp(enc.encode(ctx.binding.mode)), ...lp(enc.encode(signer)),
    ...lp(ctx.binding.offerer), ...lp(ctx.binding.answerer), ...lp(ctx.commitment), ...lp(ctx.answererNonce)
  ])
}

export function signHello (identity: PrivateKey, signer: LinkRole, ctx: HelloContext): HelloProof {
  const sig = identity.sign(helloTranscript(signer, ctx))
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
 * Checks the peer's proof against the context *we* observed. Returns the peer's key.
 * `expectedKey` (from an invite or a known contact) must match when given.
 */
export function verifyHello (proof: HelloProof, signer: LinkRole, ctx: HelloContext, expectedKey?: string): PublicKey {
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
  if (!key.verify(helloTranscript(signer, ctx), sig)) {
    throw new LinkAuthError('bad-signature',
      'The connection is not end-to-end: the identity proof does not match this channel. Someone may be intercepting it; do not pay, and pair again.')
  }
  return key
}
