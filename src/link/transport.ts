// What a Link needs from the pipe underneath: ordered, reliable frames of ≤16 KiB,
// with backpressure, plus the key material the identity handshake binds to.
import type { ChannelBinding, LinkRole } from '../core/link-auth/index.ts'
import type { LinkPath } from './ice-evidence.ts'

export type TransportKind = 'direct' | 'relay'

export interface Transport {
  readonly kind: TransportKind
  /** 'direct' or 'turn' for WebRTC (by the selected candidate pair), 'relay' for the encrypted relay */
  readonly path: LinkPath
  readonly role: LinkRole
  /** Key material of this channel (DTLS fingerprints or relay ephemeral keys). */
  readonly binding: ChannelBinding
  /** Resolves once the frame is handed to the network without overfilling its buffer. */
  send (frame: Uint8Array): Promise<void>
  onFrame (cb: (frame: Uint8Array) => void): void
  onClose (cb: (reason: string) => void): void
  close (): void
}
