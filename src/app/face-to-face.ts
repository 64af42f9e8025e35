// The one payment in front of the user right now, on either side, kept outside the
// screens so switching tabs or locking the screen does not lose it.
import { payeeInFlight, payeeUnfinished, payerInFlight, payerUnfinished, type PayeeState } from '../core/protocol/index.ts'
import type { Settings } from '../store/records.ts'
import type { Link } from '../link/link.ts'
import type { SignalClient } from '../link/signal-client.ts'
import { startPayeePairing, startPayerPairing, warmSignal, type PairingMode, type PayeePairing, type PayerPairing } from './pairing.ts'
import { PaySession, type PayView } from './payer-session.ts'
import { ReceiveSession, type ReceiveView } from './payee-session.ts'
import { messagePipe } from './protocol-link.ts'
import { CameraPay, CameraReceive } from './camera-handover.ts'
import { openPayeeSession } from './session-recovery.ts'
import type { Wallet } from './wallet.ts'

export interface ReceiveFlow {
  session: ReceiveSession
  view: ReceiveView
  /**
   * The code the screen may show for the payer to scan. Undefined while no code can work:
   * an invite joins one payer only, and an expired or failed one is dead. Never shown then:
   * a fresh code for the same request comes by itself when a payer's link drops, or on
   * `newReceiveCode`.
   */
  code?: { text: string, mode: PairingMode }
  /** A fresh code is being prepared. */
  renewing?: boolean
  /** Pairing trouble (code expired, link failed), in words. */
  linkError?: string
  /** Why the last payer's link ended, shown beside the fresh code that replaced it. */
  dropNote?: string
  /** One scan: nobody arrived yet; what the payer can do if their phone cannot reach the service. */
  linkNotice?: string
  pairing?: PayeePairing
  /** Codes only (no network between the phones): the request on screen, the payment filmed. */
  camera?: CameraReceive
}

export interface PayFlow {
  pairing: PayerPairing
  session?: PaySession
  view?: PayView
  linkError?: string
  /** Two scans: trouble this phone can already see while the payee has yet to scan its answer. */
  linkNotice?: string
}

export class FaceToFace {
  receive: ReceiveFlow | undefined
  pay: PayFlow | undefined
  /** A payment by codes only (camera-handover.ts), beside the linked `pay`. */
  cameraPay: CameraPay | undefined

  /** A signalling connection opened when Receive opened, for the next one-scan code. */
  private warm: Promise<SignalClient | undefined> | undefined

  constructor (private readonly wallet: () => Wallet | undefined, private readonly settings: () => Settings, private readonly origin: string, private readonly changed: () => void) {}

  /**
   * Receive opened: connect to the signalling service now, while the person types the
   * amount, so the one-scan code appears without waiting for a socket.
   */
  warmSignal (): void {
    this.warm ??= warmSignal(this.settings(), this.origin)
  }

  /** The pre-opened connection, once: a signalling connection serves one room. */
  private takeWarm (): Promise<SignalClient | undefined> | undefined {
    const w = this.warm
    this.warm = undefined
    return w
  }

  /** A payment is in flight: no app update, no network switch until it settles. */
  busy (): boolean {
    const r = this.receive?.view.state.phase
    const p = this.pay?.view?.state?.phase
    const c = this.cameraPay?.view?.state?.phase
    return (r !== undefined && payeeInFlight(r)) || (p !== undefined && payerInFlight(p)) || (c !== undefined && payerInFlight(c))
  }

  /** Leaving the page now would leave the other phone or the network waiting (see payerUnfinished). */
  unfinished (): boolean {
    const r = this.receive?.view.state.phase
    const p = this.pay?.view?.state?.phase
    return (r !== undefined && payeeUnfinished(r)) || (p !== undefined && payerUnfinished(p))
  }

  async startReceive (satoshis: number, memo: string, mode: PairingMode): Promise<void> {
    const w = this.need()
    const warm = mode === 'invite' ? this.takeWarm() : undefined
    this.endReceive()
    const session = await ReceiveSession.create(w, { satoshis, memo })
    const pairing = await startPayeePairing(w, this.settings(), this.origin, mode, warm)
    const flow: ReceiveFlow = { session, view: session.view() }
    this.receive = flow
    this.follow(flow, session)
    this.usePairing(flow, pairing)
    this.changed()
  }

  /** No network between the phones: the request is shown as a code and the payment filmed back. */
  async startReceiveByCodes (satoshis: number, memo: string): Promise<void> {
    const w = this.need()
    this.endReceive()
    const session = await ReceiveSession.create(w, { satoshis, memo })
    const flow: ReceiveFlow = { session, view: session.view() }
    flow.camera = new CameraReceive(w, session, this.changed)
    this.receive = flow
    this.follow(flow, session)
    this.changed()
  }

  /**
   * The link could not form, or the payer cannot connect: the same request, now by codes
   * only. A payer already linked keeps its link; this is for one still to come.
   */
  receiveByCodesInstead (): void {
    const flow = this.receive
    const w = this.wallet()
    if (flow === undefined || w === undefined || flow.camera !== undefined || flow.session.view().state.phase !== 'requestSent') return
    flow.pairing?.cancel()
    flow.pairing = undefined
    flow.code = undefined
    flow.linkError = undefined
    flow.session.clearError()
    flow.camera = new CameraReceive(w, flow.session, this.changed)
    this.changed()
  }

  /** Pay by codes only: the camera first reads the payee's request. */
  startPayByCodes (): void {
    const w = this.need()
    this.endPay()
    this.cameraPay = new CameraPay(w, this.changed)
    this.changed()
  }

  /**
   * After the app was closed mid-payment: the latest stored request comes back on the
   * Receive screen. One still waiting for its payment gets a fresh code (the old one died
   * with the old page); one already paid carries on (ack, broadcast, status).
   */
  async resumeReceive (mode: PairingMode): Promise<void> {
    const w = this.need()
    if (this.receive !== undefined) return
    const rec = await openPayeeSession(w.db)
    if (rec === undefined || this.receive !== undefined) return
    const session = ReceiveSession.resume(w, rec)
    const flow: ReceiveFlow = { session, view: session.view() }
    this.receive = flow
    this.follow(flow, session)
    if (rec.byCamera === true && rec.peerKey !== undefined && session.view().state.phase !== 'requestSent') {
      // Paid by codes and closed before the payer filmed our answer: show it again.
      flow.camera = new CameraReceive(w, session, this.changed)
      flow.camera.showAnswerAgain(rec.peerKey)
    } else if (session.view().state.phase === 'requestSent') await this.newReceiveCode(mode)
    this.changed()
  }

  /**
   * The stored session moved on without this page (sync found the coin the payer broadcast
   * itself, or the ledger settled it): the screen follows the store, and its code goes.
   */
  async adoptStored (): Promise<void> {
    const w = this.wallet()
    const flow = this.receive
    if (w === undefined || flow === undefined) return
    const cur = flow.session.view().state
    if (cur.phase !== 'requestSent' && cur.phase !== 'expired') return
    const rec = await w.session(flow.session.paymentId)
    const stored = rec?.state as PayeeState | undefined
    if (rec === undefined || stored === undefined || stored.txid === undefined || this.receive !== flow) return
    flow.pairing?.cancel()
    flow.pairing = undefined
    flow.code = undefined
    flow.session.close()
    const session = ReceiveSession.resume(w, rec)
    flow.session = session
    flow.view = session.view()
    this.follow(flow, session)
    this.changed()
  }

  private follow (flow: ReceiveFlow, session: ReceiveSession): void {
    session.onChange(v => { if (flow.session === session) { flow.view = v; this.changed() } })
  }

  /**
   * A new code for the same request, after the link dropped or the code expired: the
   * payer re-pairs and the payment resumes by its id (a payer that already signed re-sends
   * the very same payment).
   */
  async newReceiveCode (mode: PairingMode): Promise<void> {
    const flow = this.receive
    if (flow === undefined) return
    flow.pairing?.cancel()
    flow.pairing = undefined
    flow.code = undefined
    flow.linkError = undefined
    flow.dropNote = undefined
    flow.renewing = true
    // A new code is a new start: the old link's error must not stay on screen with it.
    flow.session.clearError()
    this.changed()
    try {
      const pairing = await startPayeePairing(this.need(), this.settings(), this.origin, mode)
      if (this.receive !== flow || flow.pairing !== undefined) { pairing.cancel(); return }
      this.usePairing(flow, pairing)
    } finally {
      flow.renewing = false
      this.changed()
    }
  }

  /** QR mode: the payee scanned the payer's answer. */
  async receiveAnswer (answerText: string): Promise<void> {
    const flow = this.receive
    const pairing = flow?.pairing
    if (flow === undefined || pairing?.accept === undefined) throw new Error('No two-scan code is being shown.')
    flow.linkError = undefined
    this.attachWhenLinked(flow, pairing, pairing.accept(answerText))
    this.changed()
  }

  private usePairing (flow: ReceiveFlow, pairing: PayeePairing): void {
    flow.pairing = pairing
    flow.code = { text: pairing.text, mode: pairing.mode }
    flow.linkNotice = undefined
    pairing.onNotice?.(m => { if (this.receive === flow && flow.pairing === pairing && flow.code !== undefined) { flow.linkNotice = m; this.changed() } })
    if (pairing.link !== undefined) this.attachWhenLinked(flow, pairing, pairing.link)
  }

  private attachWhenLinked (flow: ReceiveFlow, pairing: PayeePairing, link: Promise<Link>): void {
    link.then(l => {
      if (this.receive !== flow || flow.pairing !== pairing) { l.close(); return }
      // The code has done its job: no second payer can use it.
      flow.code = undefined
      const pipe = messagePipe(l)
      flow.session.attach(pipe)
      pipe.onClose(message => {
        // The payer's phone went away before paying: this code is spent, so the screen
        // gets a fresh one for the same request rather than showing a dead one, and says
        // why the last one ended.
        if (this.receive !== flow || flow.pairing !== pairing) return
        if (flow.session.view().state.phase !== 'requestSent') return
        void this.newReceiveCode(pairing.mode).then(() => {
          if (this.receive === flow) { flow.dropNote = message; this.changed() }
        }, e => { flow.linkError = (e as Error).message; this.changed() })
      })
      this.changed()
    }, e => {
      if (this.receive !== flow || flow.pairing !== pairing) return
      flow.code = undefined
      flow.linkError = (e as Error).message
      this.changed()
    })
  }

  /**
   * The person is done with the Receive screen. A request still waiting for its payment is
   * cancelled (so it does not come back on the next unlock), unless `keep`: locking the app
   * keeps it, and unlocking shows it again with a fresh code.
   */
  endReceive (opts: { keep?: boolean } = {}): void {
    void this.takeWarm()?.then(s => s?.close())
    this.receive?.pairing?.cancel()
    this.receive?.camera?.close()
    if (opts.keep !== true) {
      this.receive?.session.cancel()
      this.receive?.session.answerShown()
    }
    this.receive?.session.close()
    this.receive = undefined
    this.changed()
  }

  async startPay (scanned: string): Promise<void> {
    const w = this.need()
    this.endPay()
    const pairing = await startPayerPairing(w, this.settings(), this.origin, scanned)
    const flow: PayFlow = { pairing }
    this.pay = flow
    pairing.onNotice?.(m => { if (this.pay === flow && flow.view === undefined) { flow.linkNotice = m; this.changed() } })
    pairing.link.then(l => {
      if (this.pay !== flow) { l.close(); return }
      const session = new PaySession(w, messagePipe(l))
      flow.session = session
      flow.view = session.view()
      session.onChange(v => { flow.view = v; this.changed() })
      this.changed()
    }, e => { flow.linkError = (e as Error).message; this.changed() })
    this.changed()
  }

  endPay (): void {
    this.pay?.pairing.cancel()
    this.pay?.session?.close()
    this.pay = undefined
    this.cameraPay?.close()
    this.cameraPay = undefined
    this.changed()
  }

  private need (): Wallet {
    const w = this.wallet()
    if (w === undefined) throw new Error('Unlock the wallet first.')
    return w
  }
}
