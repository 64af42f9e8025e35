// The identity handshake as a pure state machine, commit before reveal:
//
//   offerer  → answerer   commit  { c = commitment(binding, offerer key, offerer nonce) }
//   answerer → offerer    hello   { answerer key, answerer nonce, signature }
//   offerer  → answerer   hello   { offerer key, offerer nonce, signature }
//
// The offerer sends nothing that reveals its nonce until it holds the answerer's;
// the answerer reveals only after it holds the commitment, and checks that the
// offerer's revealed nonce (and key) open it. Both signatures cover the channel's
// transport keys, the commitment and the answerer's nonce. Whatever a man in the
// middle does, on each of its two channels one honest nonce it could not choose
// enters the SAS after its own last choice, so its chance of matching digits is
// one in a million.

import * as v from 'valibot'
import type { PrivateKey } from '@bsv/sdk'
import { LinkAuthError, signHello, verifyHello, type ChannelBinding, type HelloContext, type LinkRole } from './binding.ts'
import { commitmentOf, NONCE_BYTES, shortAuthString } from './sas.ts'

const Hex32 = v.pipe(v.string(), v.length(64), v.regex(/^[0-9a-f]{64}$/))
export const CommitSchema = v.strictObject({ k: v.literal('commit'), v: v.literal(2), c: Hex32 })
export const HelloSchema = v.strictObject({
  k: v.literal('hello'),
  v: v.literal(2),
  identityKey: v.pipe(v.string(), v.length(66), v.regex(/^0[23][0-9a-f]{64}$/)),
  nonce: Hex32,
  // DER ECDSA signature: at most 72 bytes
  signature: v.pipe(v.string(), v.maxLength(144), v.regex(/^[0-9a-f]+$/))
})
export type CommitMsg = v.InferOutput<typeof CommitSchema>
export type HelloMsg = v.InferOutput<typeof HelloSchema>
export type HandshakeMsg = CommitMsg | HelloMsg

export interface HandshakeDone {
  /** the peer's identity key, compressed hex, proven over this channel */
  peerKey: string
  /** six digits, "123 456" */
  sas: string
}

export interface HandshakeStep {
  send: HandshakeMsg[]
  done?: HandshakeDone
}

export interface HandshakeOptions {
  role: LinkRole
  identity: PrivateKey
  binding: ChannelBinding
  /** 32 fresh random bytes, never reused */
  nonce: Uint8Array
  /** When known (invite, contact), the peer must prove exactly this key. */
  expectedPeerKey?: string
}

const hex = (b: Uint8Array): string => Array.from(b, x => x.toString(16).padStart(2, '0')).join('')
const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], h => parseInt(h, 16))

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!
  return d === 0
}

type Phase = 'new' | 'committed' | 'revealed' | 'done' | 'failed'

export class Handshake {
  private phase: Phase = 'new'
  private commitment?: Uint8Array
  private readonly myKey: Uint8Array

  constructor (private readonly o: HandshakeOptions) {
    if (o.nonce.length !== NONCE_BYTES) throw new LinkAuthError('bad-binding', `a handshake nonce must be ${NONCE_BYTES} bytes`)
    if (o.binding.offerer.length === 0 || o.binding.answerer.length === 0) throw new LinkAuthError('bad-binding', 'channel binding is empty')
    this.myKey = Uint8Array.from(o.identity.toPublicKey().toDER() as number[])
  }

  get role (): LinkRole { return this.o.role }

  /** Messages to send as soon as the channel is open: the offerer's commitment, nothing for the answerer. */
  start (): HandshakeMsg[] {
    if (this.phase !== 'new') throw new LinkAuthError('out-of-order', 'handshake already started')
    if (this.o.role === 'answerer') return []
    this.commitment = commitmentOf(this.o.binding, this.myKey, this.o.nonce)
    this.phase = 'committed'
    return [{ k: 'commit', v: 2, c: hex(this.commitment) }]
  }

  /** Feeds one message from the peer (already schema-checked). Throws LinkAuthError on anything wrong. */
  receive (msg: HandshakeMsg): HandshakeStep {
    try {
      return this.o.role === 'offerer' ? this.asOfferer(msg) : this.asAnswerer(msg)
    } catch (e) {
      this.phase = 'failed'
      throw e
    }
  }

  private asOfferer (msg: HandshakeMsg): HandshakeStep {
    if (msg.k !== 'hello' || this.phase !== 'committed' || this.commitment === undefined) {
      throw new LinkAuthError('out-of-order', 'The other phone broke the pairing handshake order; connection refused.')
    }
    const ctx: HelloContext = { binding: this.o.binding, commitment: this.commitment, answererNonce: unhex(msg.nonce) }
    const peer = verifyHello(msg, 'answerer', ctx, this.o.expectedPeerKey)
    const peerKey = Uint8Array.from(peer.toDER() as number[])
    const mine = signHello(this.o.identity, 'offerer', ctx)
    this.phase = 'done'
    return {
      send: [{ k: 'hello', v: 2, identityKey: mine.identityKey, nonce: hex(this.o.nonce), signature: mine.signature }],
      done: { peerKey: peer.toString(), sas: this.sas(this.myKey, peerKey, this.o.nonce, ctx.answererNonce) }
    }
  }

  private asAnswerer (msg: HandshakeMsg): HandshakeStep {
    if (msg.k === 'commit') {
      if (this.phase !== 'new') throw new LinkAuthError('out-of-order', 'The other phone sent a second commitment; connection refused.')
      this.commitment = unhex(msg.c)
      const mine = signHello(this.o.identity, 'answerer', { binding: this.o.binding, commitment: this.commitment, answererNonce: this.o.nonce })
      this.phase = 'revealed'
      return { send: [{ k: 'hello', v: 2, identityKey: mine.identityKey, nonce: hex(this.o.nonce), signature: mine.signature }] }
    }
    if (this.phase !== 'revealed' || this.commitment === undefined) {
      throw new LinkAuthError('out-of-order', 'The other phone revealed its key before committing to it; connection refused.')
    }
    const ctx: HelloContext = { binding: this.o.binding, commitment: this.commitment, answererNonce: this.o.nonce }
    const peer = verifyHello(msg, 'offerer', ctx, this.o.expectedPeerKey)
    const peerKey = Uint8Array.from(peer.toDER() as number[])
    const offererNonce = unhex(msg.nonce)
    if (!sameBytes(commitmentOf(this.o.binding, peerKey, offererNonce), this.commitment)) {
      throw new LinkAuthError('bad-commitment',
        'The other phone changed its pairing values after seeing ours. Someone may be intercepting the connection; do not pay, and pair again.')
    }
    this.phase = 'done'
    return { send: [], done: { peerKey: peer.toString(), sas: this.sas(peerKey, this.myKey, offererNonce, this.o.nonce) } }
  }

  private sas (offererKey: Uint8Array, answererKey: Uint8Array, offererNonce: Uint8Array, answererNonce: Uint8Array): string {
    return shortAuthString({ binding: this.o.binding, offererKey, answererKey, offererNonce, answererNonce })
  }
}
