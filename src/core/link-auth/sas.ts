// Commitment and short authentication string of the link handshake.
//
// commitment = SHA-256(tag, mode, offerer's transport key, answerer's transport key,
//                      offerer's identity key, offerer's nonce)
// SAS        = first 4 bytes of SHA-256(tag, mode, both transport keys, both identity
//              keys, both nonces) mod 10^6, shown as "123 456".
// Each side's nonce is fixed before it learns the other's (the offerer commits to
// its nonce before the answerer reveals; the answerer reveals before the offerer
// opens the commitment), so whoever sits in the middle gets one guess per pairing.

import { Hash } from '@bsv/sdk'
import { LinkAuthError, lp, type ChannelBinding } from './binding.ts'

export const NONCE_BYTES = 32

export interface SasInputs {
  binding: ChannelBinding
  /** compressed identity keys, 33 bytes each */
  offererKey: Uint8Array
  answererKey: Uint8Array
  offererNonce: Uint8Array
  answererNonce: Uint8Array
}

const enc = new TextEncoder()

function checkNonce (n: Uint8Array): void {
  if (n.length !== NONCE_BYTES) throw new LinkAuthError('bad-binding', `a handshake nonce must be ${NONCE_BYTES} bytes`)
}

export function commitmentOf (binding: ChannelBinding, offererKey: Uint8Array, offererNonce: Uint8Array): Uint8Array {
  checkNonce(offererNonce)
  return Uint8Array.from(Hash.sha256([
    ...lp(enc.encode('handover/link-commit/v2')), ...lp(enc.encode(binding.mode)),
    ...lp(binding.offerer), ...lp(binding.answerer), ...lp(offererKey), ...lp(offererNonce)
  ]))
}

/** The bytes the SAS hashes (exposed so tests can model an attacker cheaply). */
export function sasPreimage (s: SasInputs): Uint8Array {
  checkNonce(s.offererNonce); checkNonce(s.answererNonce)
  return Uint8Array.from([
    ...lp(enc.encode('handover/sas/v2')), ...lp(enc.encode(s.binding.mode)),
    ...lp(s.binding.offerer), ...lp(s.binding.answerer), ...lp(s.offererKey), ...lp(s.answererKey),
    ...lp(s.offererNonce), ...lp(s.answererNonce)
  ])
}

export function sasFromDigest (h: ArrayLike<number>): string {
  const n = ((h[0]! << 24) >>> 0) + (h[1]! << 16) + (h[2]! << 8) + h[3]!
  const s = String(n % 1_000_000).padStart(6, '0')
  return `${s.slice(0, 3)} ${s.slice(3)}`
}

/** Six digits both screens show; equal digits mean both phones saw the same handshake. */
export function shortAuthString (s: SasInputs): string {
  return sasFromDigest(Hash.sha256([...sasPreimage(s)]))
}
