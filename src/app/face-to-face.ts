// The one payment in front of the user right now, on either side, kept outside the
// screens so switching tabs or locking the screen does not lose it.
import { payeeInFlight, payerInFlight } from '../core/protocol/index.ts'
import type { Settings } from '../store/records.ts'
import type { Link } from '../link/link.ts'
import { startPayeePairing, startPayerPairing, type PairingMode, type PayeePairing, type PayerPairing } from './pairing.ts'
import { PaySession, type PayView } from './payer-session.ts'
import { ReceiveSession, type ReceiveView } from './payee-session.ts'
import { messagePipe } from './protocol-link.ts'
import type { Wallet } from './wallet.ts'

export interface ReceiveFlow {
  pairing: PayeePairing
  session: ReceiveSession
  view: ReceiveView
  /** Pairing trouble (code expired, link failed), in words. */
  linkError?: string
}

export interface PayFlow {
  pairing: PayerPairing
  session?: PaySession
  view?: PayView
  linkError?: string
}

export class FaceToFace {
  receive: ReceiveFlow | undefined
  pay: PayFlow | undefined

  constructor (private readonly wallet: () => Wallet | undefined, private readonly settings: () => Settings, private readonly origin: string, private readonly changed: () => void) {}

  /** A payment is in flight: no app update, no network switch until it settles. */
  busy (): boolean {
    const r = this.receive?.view.state.phase
    const p = this.pay?.view?.state?.phase
    return (r !== undefined && payeeInFlight(r)) || (p !== undefined && payerInFlight(p))
  }

  async startReceive (satoshis: number, memo: string, mode: PairingMode): Promise<void> {
    const w = this.need()
    this.endReceive()
    const session = await ReceiveSession.create(w, { satoshis, memo })
    const pairing = await startPayeePairing(w, this.settings(), this.origin, mode)
    const flow: ReceiveFlow = { pairing, session, view: session.view() }
    this.receive = flow
    session.onChange(v => { flow.view = v; this.changed() })
    if (pairing.link !== undefined) this.attachWhenLinked(flow, pairing.link)
    this.changed()
  }

  /**
   * A new code for the same request, after the link dropped or the code expired: the
   * payer re-pairs and the payment resumes by its id (a payer that already signed re-sends
   * the very same payment).
   */
  async newReceiveCode (mode: PairingMode): Promise<void> {
    const flow = this.receive
    if (flow === undefined) return
    flow.pairing.cancel()
    flow.linkError = undefined
    flow.pairing = await startPayeePairing(this.need(), this.settings(), this.origin, mode)
    flow.session.clearError()
    if (flow.pairing.link !== undefined) this.attachWhenLinked(flow, flow.pairing.link)
    this.changed()
  }

  /** QR mode: the payee scanned the payer's answer. */
  async receiveAnswer (answerText: string): Promise<void> {
    const flow = this.receive
    if (flow?.pairing.accept === undefined) throw new Error('No two-scan code is being shown.')
    flow.linkError = undefined
    this.attachWhenLinked(flow, flow.pairing.accept(answerText))
    this.changed()
  }

  private attachWhenLinked (flow: ReceiveFlow, link: Promise<Link>): void {
    link.then(l => {
      if (this.receive !== flow) { l.close(); return }
      flow.session.attach(messagePipe(l))
    }, e => { flow.linkError = (e as Error).message; this.changed() })
  }

  endReceive (): void {
    this.receive?.pairing.cancel()
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
    this.changed()
  }

  private need (): Wallet {
    const w = this.wallet()
    if (w === undefined) throw new Error('Unlock the wallet first.')
    return w
  }
}
