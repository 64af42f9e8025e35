// Paying with no network between the phones: the two ends of the camera hand-over.
// Each side keeps one reader for what its camera films and one CameraPipe for what its
// screen shows; the payment sessions (PaySession, ReceiveSession) run unchanged on top.
//
//   payee: request (static QR)  ──film──►  payer: confirm, sign, store, then
//   payer: payment (animated)   ──film──►  payee: verify, store, then
//   payee: signed ack (static)  ──film──►  payer: done (or the outbox broadcasts at the deadline)
import { CAMERA_ACK_TIMEOUT_SEC } from '../core/camera/ack-deadline.ts'
import { CameraCodeError, openAck, openPayment, openRequest } from '../core/camera/envelope.ts'
import { CodeReader, type ReadProgress } from '../core/camera/ur-frames.ts'
import { CameraPipe } from './camera-pipe.ts'
import { PaySession, type PayView } from './payer-session.ts'
import type { ReceiveSession } from './payee-session.ts'
import type { Wallet } from './wallet.ts'

/** What the scanning phone's screen says while it films. */
export interface ScanProgress {
  /** Distinct parts read so far, of about `expected`. */
  received: number
  expected: number
  /** Frames that failed their own checksum (misread, or forged), skipped. */
  damaged: number
  /** Why the last code was refused; the reader starts afresh for the next one. */
  refusal?: string
}

const noProgress = (): ScanProgress => ({ received: 0, expected: 0, damaged: 0 })

function explain (e: unknown): string {
  return e instanceof CameraCodeError ? e.message : `The code could not be read (${(e as Error).message}).`
}

/**
 * What both ends share while filming: the reader, what the screen says about it, and how a
 * code that read cleanly but was refused (wrong payment, bad signature, …) is reported.
 */
abstract class CameraScan {
  reader = new CodeReader()
  progress: ScanProgress = noProgress()

  constructor (protected readonly changed: () => void) {}

  /** The camera opens again: a fresh start, last refusal cleared. */
  restart (): void {
    this.reader = new CodeReader()
    this.progress = noProgress()
    this.changed()
  }

  /**
   * Feeds one filmed text to the reader. Returns the reassembled bytes when done; refusals
   * land in `progress.refusal` and reset the reader so the next code gets a fresh start.
   */
  protected feed (text: string): Uint8Array | undefined {
    const p: ReadProgress = this.reader.push(text)
    switch (p.kind) {
      case 'ignored': return undefined
      case 'damaged': this.progress = { ...this.progress, damaged: p.damaged }; return undefined
      case 'progress': this.progress = { ...this.progress, received: p.received, expected: p.expected, refusal: undefined }; return undefined
      case 'refused':
        this.progress = { ...noProgress(), refusal: p.reason }
        this.reader = new CodeReader()
        return undefined
      case 'done':
        this.reader = new CodeReader()
        return p.bytes
    }
  }

  /** A whole code that could not be used: say why on screen; the camera keeps filming. */
  protected refuse (e: unknown): false {
    this.progress = { ...noProgress(), refusal: explain(e) }
    this.changed()
    return false
  }
}

/** The payee's side: its request on screen, the payer's animated payment in its camera. */
export class CameraReceive extends CameraScan {
  pipe: CameraPipe | undefined
  /** The request as a static code, from the start (nothing to connect first). */
  readonly requestCode: CameraPipe

  constructor (private readonly wallet: Wallet, private readonly session: ReceiveSession, changed: () => void) {
    super(changed)
    this.requestCode = new CameraPipe(wallet.identityKey(), '', changed)
    void this.requestCode.send(session.request)
  }

  /** One text the camera read. True when the payment is in and the camera can close. */
  part (text: string): boolean {
    if (this.pipe !== undefined) return true
    const bytes = this.feed(text)
    if (bytes === undefined) { this.changed(); return false }
    try {
      const { message, signer } = openPayment(bytes, this.session.paymentId)
      // The payer's key is proven by the signature over the payment it showed: the ledger
      // names it as who paid, as it does after a link's handshake.
      const pipe = new CameraPipe(this.wallet.identityKey(), signer, this.changed)
      this.pipe = pipe
      this.session.attach(pipe)
      pipe.deliver(message)
      this.changed()
      return true
    } catch (e) {
      return this.refuse(e)
    }
  }

  /**
   * Reopened after the payment was stored (the tab was closed right after filming it): the
   * payer may still be waiting for our answer, so the same signed ack goes on screen again
   * (`attach` re-sends the stored ack; the envelope is signed afresh by the same key).
   * `payerKey` is the payer whose signed payment we stored.
   */
  showAnswerAgain (payerKey: string): void {
    if (this.pipe !== undefined) return
    const pipe = new CameraPipe(this.wallet.identityKey(), payerKey, this.changed)
    this.pipe = pipe
    this.session.attach(pipe)
    this.changed()
  }

  close (): void { this.pipe?.close(); this.requestCode.close() }
}

/** The payer's side: films the request, shows the payment, films the ack. */
export class CameraPay extends CameraScan {
  pipe: CameraPipe | undefined
  session: PaySession | undefined
  view: PayView | undefined
  /** The payee's ack was read (accepted or refused): nothing more to film. */
  ackRead = false

  constructor (private readonly wallet: Wallet, changed: () => void) { super(changed) }

  /** What the camera should look for now. */
  get stage (): 'request' | 'ack' | 'done' {
    if (this.session === undefined) return 'request'
    return this.ackRead ? 'done' : 'ack'
  }

  /** One text the camera read. True when this stage is complete and the camera can close. */
  part (text: string): boolean {
    const stage = this.stage
    if (stage === 'done') return true
    const bytes = this.feed(text)
    if (bytes === undefined) { this.changed(); return false }
    try {
      if (stage === 'request') this.begin(openRequest(bytes))
      else this.ack(bytes)
      this.progress = noProgress()
      this.changed()
      return true
    } catch (e) {
      return this.refuse(e)
    }
  }

  private begin (opened: ReturnType<typeof openRequest>): void {
    const pipe = new CameraPipe(this.wallet.identityKey(), opened.signer, this.changed)
    const session = new PaySession(this.wallet, pipe, CAMERA_ACK_TIMEOUT_SEC)
    this.pipe = pipe
    this.session = session
    this.view = session.view()
    session.onChange(v => { this.view = v; this.changed() })
    pipe.deliver(opened.message)
  }

  private ack (bytes: Uint8Array): void {
    const state = this.view?.state
    if (this.pipe === undefined || state === undefined) throw new Error('No payment is waiting for an answer.')
    if (state.txid === undefined) throw new CameraCodeError('wrong-kind', 'Confirm the payment first; then scan the payee\'s answer.')
    const { message } = openAck(bytes, state.paymentId, this.pipe.peerKey)
    this.ackRead = true
    this.pipe.deliver(message)
  }

  close (): void { this.session?.close() }
}
