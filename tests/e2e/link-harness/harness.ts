// A bare page that drives the real src/link modules, so the e2e tests can act as
// two phones. Everything is exposed on window.h for playwright to call.
import { PrivateKey } from '@bsv/sdk'
import {
  answerQrOffer, codeKind, createQrOffer, drawQr, hostInvite, joinInvite, linkReport, qrVersion,
  LinkError, type Link, type QrOffer, type HostedInvite, type InviteOptions, type QrPairingOptions
} from '../../../src/link/index.ts'
import { scanQrFromCamera } from '../../../src/link/qr-scan.ts'

let identity = PrivateKey.fromRandom()
let offer: QrOffer | undefined
let invite: HostedInvite | undefined
let link: Link | undefined
const inbox: unknown[] = []
const closes: unknown[] = []
const notices: string[] = []

const canvas = document.getElementById('qr') as HTMLCanvasElement
const log = (s: string): void => { document.getElementById('log')!.textContent += s + '\n' }

function adopt (l: Link): LinkInfo {
  link = l
  l.onMessage(m => {
    inbox.push(m)
    const o = m as { echo?: unknown }
    if (o.echo !== undefined) void l.send({ echoed: o.echo })
  })
  l.onClose(c => closes.push(c))
  return info(l)
}

const info = (l: Link): LinkInfo => ({ mode: l.mode, peerKey: l.peerKey, sas: l.sas, role: l.role, ...linkReport(l) })

interface LinkInfo { mode: string, peerKey: string, sas: string, role: string, path: string, connectMs?: number, fallback?: string }
const errInfo = (e: unknown): { error: string, code?: string } =>
  e instanceof LinkError ? { error: e.message, code: e.code } : { error: String(e) }

async function show (text: string): Promise<void> {
  await drawQr(canvas, text, 6)
}

const kindOf = codeKind

const h = {
  setIdentity (hex?: string): string {
    identity = hex !== undefined ? PrivateKey.fromHex(hex) : PrivateKey.fromRandom()
    return identity.toPublicKey().toString()
  },
  async qrOffer (o: Partial<QrPairingOptions> = {}): Promise<{ text: string, version: number, rawSdpBytes: number, ms: number }> {
    const t0 = performance.now()
    offer = await createQrOffer({ identity, ...o })
    await show(offer.text)
    return { text: offer.text, version: qrVersion(offer.text), rawSdpBytes: offer.rawSdpBytes, ms: performance.now() - t0 }
  },
  /** Phone B: scan the offer with the camera, show the answer QR, wait for the link in the background. */
  async scanOfferAndAnswer (): Promise<{ text: string, version: number, scanned: string }> {
    const scanned = await scanQrFromCamera({ accept: t => kindOf(t) === 'offer' })
    const ans = await answerQrOffer(scanned, { identity })
    ans.onNotice(m => notices.push(m))
    ans.link.then(l => { adopt(l); log('linked') }, e => { closes.push(errInfo(e)) })
    await show(ans.text)
    return { text: ans.text, version: qrVersion(ans.text), scanned }
  },
  /** Phone A: scan the answer with the camera and connect. */
  async scanAnswer (): Promise<LinkInfo & { connectMs: number } | { error: string }> {
    const scanned = await scanQrFromCamera({ accept: t => kindOf(t) === 'answer' })
    return await h.acceptAnswer(scanned)
  },
  async acceptAnswer (text: string): Promise<LinkInfo & { connectMs: number } | { error: string, code?: string }> {
    try {
      const t0 = performance.now()
      const l = await offer!.accept(text)
      return { ...adopt(l), connectMs: performance.now() - t0 }
    } catch (e) { return errInfo(e) }
  },
  async answerText (offerText: string, o: Partial<QrPairingOptions> = {}): Promise<{ text: string } | { error: string, code?: string }> {
    try {
      const ans = await answerQrOffer(offerText, { identity, ...o })
      ans.onNotice(m => notices.push(m))
      ans.link.then(l => adopt(l), e => { closes.push(errInfo(e)) })
      return { text: ans.text }
    } catch (e) { return errInfo(e) }
  },
  async hostInvite (signalUrl: string, o: Partial<InviteOptions> = {}): Promise<{ text: string, version: number }> {
    invite = await hostInvite({ identity, signalUrl, ...o })
    invite.onNotice(m => notices.push(m))
    invite.link.then(l => { adopt(l) }, e => { closes.push(errInfo(e)) })
    await show(invite.text)
    return { text: invite.text, version: qrVersion(invite.text) }
  },
  inviteRoom (): string { return invite!.room },
  async joinInvite (text: string, signalUrl: string, o: Partial<InviteOptions> = {}): Promise<LinkInfo & { ms: number } | { error: string, code?: string }> {
    try {
      const t0 = performance.now()
      const l = await joinInvite(text, { identity, signalUrl, ...o })
      return { ...adopt(l), ms: performance.now() - t0 }
    } catch (e) { return errInfo(e) }
  },
  async scanInviteAndJoin (signalUrl: string, o: Partial<InviteOptions> = {}): Promise<LinkInfo & { ms: number } | { error: string, code?: string }> {
    const scanned = await scanQrFromCamera({ accept: t => kindOf(t) === 'invite' })
    return await h.joinInvite(scanned, signalUrl, o)
  },
  async waitLink (ms = 20_000): Promise<LinkInfo | { error: string }> {
    const t0 = Date.now()
    while (link === undefined && Date.now() - t0 < ms) {
      if (closes.length > 0) return closes[0] as { error: string }
      await new Promise(r => setTimeout(r, 25))
    }
    if (link === undefined) return { error: 'no link' }
    return info(link)
  },
  /** What this phone told its person while waiting: the payer in two scans, the payee showing an invite. */
  async waitNotice (ms = 10_000): Promise<string | undefined> {
    const t0 = Date.now()
    while (notices.length === 0 && Date.now() - t0 < ms) await new Promise(r => setTimeout(r, 20))
    return notices[0]
  },
  async send (body: unknown): Promise<void> { await link!.send(body) },
  async trySend (body: unknown): Promise<{ ok: true } | { error: string, code?: string }> {
    try { await link!.send(body); return { ok: true } } catch (e) { return errInfo(e) }
  },
  async waitMessage (ms = 10_000): Promise<unknown> {
    const t0 = Date.now()
    while (inbox.length === 0 && Date.now() - t0 < ms) await new Promise(r => setTimeout(r, 10))
    return inbox.shift()
  },
  async waitClose (ms = 10_000): Promise<unknown> {
    const t0 = Date.now()
    while (closes.length === 0 && Date.now() - t0 < ms) await new Promise(r => setTimeout(r, 20))
    return closes.shift()
  },
  /** Round trips of `size`-byte echo messages; returns each RTT in ms. */
  async echoRtts (n: number, size: number): Promise<number[]> {
    const out: number[] = []
    const pad = 'x'.repeat(size)
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      await link!.send({ echo: i, pad })
      for (;;) {
        const m = inbox.shift() as { echoed?: number } | undefined
        if (m?.echoed === i) break
        await new Promise(r => setTimeout(r, 0))
      }
      out.push(performance.now() - t0)
    }
    return out
  },
  close (): void { link?.close('Closed by the test.') }
}

export type HarnessApi = typeof h
;(window as unknown as { h: HarnessApi }).h = h
log('ready')
