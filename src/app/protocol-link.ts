// Carries protocol messages over a Link: every incoming body is re-validated by the
// protocol's own parser (size caps, schemas) before a session sees it.
import { encodeMessage, parseMessage, type Message, type ProtocolError } from '../core/protocol/index.ts'
import type { Link } from '../link/link.ts'
import type { LinkPath } from '../link/ice-evidence.ts'

export interface MessagePipe {
  readonly peerKey: string
  readonly sas: string
  /** How messages are carried: phone to phone, through a TURN server, the encrypted relay, or
   * 'camera': codes shown and filmed, no network between the phones (camera-pipe.ts). */
  readonly mode: LinkPath | 'camera'
  /** ms from this phone's start to a proven link, where known */
  readonly connectMs?: number
  send: (m: Message) => Promise<void>
  onMessage: (cb: (m: Message) => void) => () => void
  onInvalid: (cb: (e: ProtocolError) => void) => () => void
  onClose: (cb: (message: string) => void) => () => void
  close: (message?: string) => void
}

/** Too many malformed messages from one peer: stop listening to it. */
const MAX_INVALID = 5

export function messagePipe (link: Link): MessagePipe {
  const messageCbs = new Set<(m: Message) => void>()
  const invalidCbs = new Set<(e: ProtocolError) => void>()
  let invalid = 0
  link.onMessage(body => {
    const parsed = parseMessage(typeof body === 'string' ? body : JSON.stringify(body))
    if (!parsed.ok) {
      for (const cb of invalidCbs) cb(parsed.error)
      if (++invalid >= MAX_INVALID) link.close('Too many malformed messages.')
      return
    }
    for (const cb of messageCbs) cb(parsed.value)
  })
  return {
    peerKey: link.peerKey,
    sas: link.sas,
    mode: link.path,
    ...(link.connectMs !== undefined ? { connectMs: link.connectMs } : {}),
    // encodeMessage validates what we send with the same schema the peer will apply.
    send: async m => { await link.send(JSON.parse(encodeMessage(m))) },
    onMessage: cb => { messageCbs.add(cb); return () => messageCbs.delete(cb) },
    onInvalid: cb => { invalidCbs.add(cb); return () => invalidCbs.delete(cb) },
    onClose: cb => link.onClose(info => cb(info.message)),
    close: m => link.close(m)
  }
}
