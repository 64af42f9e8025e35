// One "phone" for bench/pay.ts: a real Wallet in this page's IndexedDB, paired with the
// other page through the app's own QR pairing (texts passed by the driver instead of
// cameras), running the app's ReceiveSession / PaySession over one live link.
import { seedFromMnemonic } from '../../../src/core/keys.ts'
import { Wallet } from '../../../src/app/wallet.ts'
import { DEFAULT_SETTINGS } from '../../../src/app/settings.ts'
import { startPayeePairing, startPayerPairing, type PayeePairing } from '../../../src/app/pairing.ts'
import { messagePipe, type MessagePipe } from '../../../src/app/protocol-link.ts'
import { ReceiveSession, type ReceiveView } from '../../../src/app/payee-session.ts'
import { PaySession, type PayView } from '../../../src/app/payer-session.ts'
import type { Link } from '../../../src/link/link.ts'
import type { PayeePhase } from '../../../src/core/protocol/index.ts'

/** Wall-clock ms with sub-ms resolution, comparable between the two browser processes. */
const wall = (): number => performance.timeOrigin + performance.now()

export interface CoinsInfo { spendable: number, unspent: number[], rejected: string[] }
export interface PayTiming {
  /** confirm() → payer view phase 'acked' */
  requestToAck: number
  /** confirm() → commitOutgoing durable (the wallet's change notification) */
  /** confirm() → phase 'signed' (persist 'confirmed', select, build, sign) */
  signed: number
  /** confirm() → phase 'handedOver' (commit done, payment handed to the link) */
  handedOver: number
  /** wall clock of the payment leaving / the ack arriving, to line up with the payee */
  handedOverWall: number
  ackWall: number
  inputs: number
  txid: string
}
export interface PayeeTiming { paymentReceivedWall: number, verifiedWall: number, ackedWall: number, phase: PayeePhase }

interface BenchApi {
  open: (mnemonic: string, dbPrefix: string) => Promise<string>
  freshAddresses: (n: number) => Promise<string[]>
  sync: () => Promise<CoinsInfo>
  // pairing
  payeeOffer: () => Promise<string>
  payerAnswer: (offerText: string) => Promise<string>
  payeeAccept: (answerText: string) => Promise<{ mode: string, sas: string }>
  payerLinked: () => Promise<{ mode: string, sas: string }>
  pings: (n: number) => Promise<number[]>
  // one payment
  payerArm: () => void
  payeeRequest: (satoshis: number) => Promise<string>
  payerPay: () => Promise<PayTiming>
  payeeDone: () => Promise<PayeeTiming>
}

declare global { interface Window { bench: BenchApi } }

let wallet: Wallet | undefined
let payeePairing: PayeePairing | undefined
let linkP: Promise<Link> | undefined
let link: Link | undefined
let pipe: MessagePipe | undefined
let paySession: PaySession | undefined
let receive: { session: ReceiveSession, times: Partial<Record<PayeePhase, number>>, view: ReceiveView } | undefined

const need = <T>(x: T | undefined, what: string): T => { if (x === undefined) throw new Error(`bench page: no ${what} yet`); return x }

/**
 * The sessions close their pipe when they end; here one link carries several payments, so
 * each session gets the same pipe with a close that leaves the link up.
 */
const sessionPipe = (): MessagePipe => ({ ...need(pipe, 'link'), close: () => {} })

function adopt (l: Link): { mode: string, sas: string } {
  link = l
  pipe = messagePipe(l)
  return { mode: l.mode, sas: l.sas }
}

async function until<V> (what: string, subscribe: (cb: (v: V) => void) => () => void, current: V, done: (v: V) => boolean, fail: (v: V) => string | undefined, ms: number): Promise<V> {
  let last = current
  return await new Promise((resolve, reject) => {
    let off = (): void => {}
    const timer = setTimeout(() => { off(); reject(new Error(`${what}: timed out after ${ms} ms; last view ${JSON.stringify(last, (k, x: unknown) => k === 'beef' || k === 'request' ? '…' : x)}`)) }, ms)
    const check = (v: V): boolean => {
      last = v
      const bad = fail(v)
      if (bad !== undefined) { clearTimeout(timer); off(); reject(new Error(bad)); return true }
      if (done(v)) { clearTimeout(timer); off(); resolve(v); return true }
      return false
    }
    if (check(current)) return
    off = subscribe(v => { check(v) })
  })
}

window.bench = {
  async open (mnemonic, dbPrefix) {
    wallet = await Wallet.open(seedFromMnemonic(mnemonic), DEFAULT_SETTINGS, location.origin, dbPrefix)
    return wallet.identityKey().toPublicKey().toString()
  },

  async freshAddresses (n) {
    const w = need(wallet, 'wallet')
    const out: string[] = []
    for (let i = 0; i < n; i++) out.push((await w.freshReceiveOutput()).address)
    return out
  },

  async sync () {
    const w = need(wallet, 'wallet')
    const report = await w.sync()
    const coins = await w.db.getAllFromIndex('coins', 'status', 'unspent')
    return { spendable: (await w.balance()).spendable, unspent: coins.map(c => c.satoshis), rejected: report.rejected }
  },

  async payeeOffer () {
    payeePairing = await startPayeePairing(need(wallet, 'wallet'), DEFAULT_SETTINGS, location.origin, 'qr')
    return payeePairing.text
  },

  async payerAnswer (offerText) {
    const p = await startPayerPairing(need(wallet, 'wallet'), DEFAULT_SETTINGS, location.origin, offerText)
    linkP = p.link
    return need(p.answerText, 'answer text')
  },

  async payeeAccept (answerText) {
    const accept = need(need(payeePairing, 'pairing').accept, 'QR pairing')
    return adopt(await accept(answerText))
  },

  async payerLinked () {
    return adopt(await need(linkP, 'pairing'))
  },

  async pings (n) {
    const l = need(link, 'link')
    const out: number[] = []
    for (let i = 0; i < n; i++) out.push(await l.ping())
    return out
  },

  /** Payer: a fresh session listening before the payee sends its request. */
  payerArm () {
    paySession?.close()
    paySession = new PaySession(need(wallet, 'wallet'), sessionPipe())
  },

  async payeeRequest (satoshis) {
    receive?.session.close()
    const session = await ReceiveSession.create(need(wallet, 'wallet'), { satoshis })
    const r = { session, times: {} as Partial<Record<PayeePhase, number>>, view: session.view() }
    receive = r
    session.onChange(v => { r.view = v; r.times[v.state.phase] ??= wall() })
    // In the app the request is stored (and its own 'send' effect has found no link yet)
    // long before a payer scans the code. Attaching while those first effects are still
    // queued sends the request twice, and PaySession.begin() is not safe against a
    // duplicate arriving while it awaits: wait for the stored session, as the app
    // effectively does.
    const w = need(wallet, 'wallet')
    while (await w.session(session.paymentId) === undefined) await new Promise(resolve => setTimeout(resolve, 1))
    await new Promise(resolve => setTimeout(resolve, 0))
    session.attach(sessionPipe()) // sends the request
    return session.paymentId
  },

  async payerPay () {
    const w = need(wallet, 'wallet')
    const s = need(paySession, 'armed pay session')
    const t: Partial<Record<string, number>> = {}
    const offPhase = s.onChange(v => { const p = v.state?.phase; if (p !== undefined) t[p] ??= performance.now() })
    // From the request in the payer's hands (its person confirms at once) to the ack.
    const t0 = performance.now()
    await s.request()
    s.confirm()
    let v: PayView
    try {
      v = await until<PayView>('payer', cb => s.onChange(cb), s.view(), x => x.state?.phase === 'acked',
        x => x.error !== undefined || ['rejected', 'cancelled', 'failed'].includes(x.state?.phase ?? '')
          ? `payment did not complete: phase ${x.state?.phase ?? '?'}, ${x.error ?? x.state?.error?.code ?? ''}` : undefined, 20_000)
    } finally { offPhase() }
    const ackAt = need(t.acked, 'ack time')
    const txid = need(v.state?.txid, 'txid')
    // What was actually handed over: the signed transaction in the wallet's own store.
    const inputs = await w.db.getAllFromIndex('coins', 'spentBy', txid)
    return {
      requestToAck: ackAt - t0,
      signed: need(t.signed, 'signed time') - t0,
      handedOver: need(t.handedOver, 'hand-over time') - t0,
      handedOverWall: performance.timeOrigin + need(t.handedOver, 'hand-over time'),
      ackWall: performance.timeOrigin + ackAt,
      inputs: inputs.length,
      txid
    }
  },

  /** Payee: waits until the payment is stored, acked and taken by the miner. */
  async payeeDone () {
    const r = need(receive, 'receive session')
    const v = await until<ReceiveView>('payee', cb => r.session.onChange(cb), r.view, x => ['broadcast', 'seen', 'mined'].includes(x.state.phase),
      x => ['rejected', 'failed', 'expired', 'cancelled', 'queued'].includes(x.state.phase) || x.error !== undefined
        ? `payee: phase ${x.state.phase}, ${x.error ?? x.state.error?.code ?? ''}` : undefined, 20_000)
    return {
      paymentReceivedWall: need(r.times.paymentReceived, 'paymentReceived time'),
      verifiedWall: need(r.times.verified, 'verified time'),
      ackedWall: need(r.times.acked, 'acked time'),
      phase: v.state.phase
    }
  }
}
document.getElementById('status')!.textContent = 'ready'
