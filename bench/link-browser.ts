// Link metrics in real headless Chromium, two browser processes as two phones:
// QR payload size vs. raw SDP (same run), connect times for QR and invite pairing,
// round-trip time through the encrypted relay, and how fast a hopeless direct attempt
// gives way to the relay (relay_fallback_ms: candidates that reach nowhere, default
// options; the fixed timer this replaced took 6 s).
// Run alone: npx tsx bench/link-browser.ts
import { buildHarness, serveHarness } from '../tests/e2e/link-harness/serve.ts'
import { launchPhone } from '../tests/e2e/link-harness/browser.ts'
import { blackholeProxy } from '../tests/e2e/link-harness/blackhole-proxy.ts'
import { median } from './lib/stats.ts'

const RUNS = 5
const emit = (metric: string, value: number, unit: string): void => { console.log(JSON.stringify({ metric, value, unit })) }
const round = (x: number): number => Math.round(x * 10) / 10

const built = await buildHarness()
const srv = await serveHarness(built.dir)
const a = await launchPhone(srv.url)
const b = await launchPhone(srv.url)
const fresh = async (): Promise<void> => {
  for (const p of [a, b]) { await p.page.reload(); await p.page.waitForFunction(() => window.h !== undefined) }
}
try {
  // QR: answer applied -> channel open and identities proven
  const qr: number[] = []
  let first: { text: string, version: number, rawSdpBytes: number } | undefined
  for (let i = 0; i < RUNS; i++) {
    await fresh()
    const offer = await a.page.evaluate(async () => await window.h.qrOffer())
    first ??= offer
    const ans = await b.page.evaluate(async (t) => await window.h.answerText(t), offer.text)
    if ('error' in ans) throw new Error(ans.error)
    const linked = await a.page.evaluate(async (t) => await window.h.acceptAnswer(t), ans.text)
    if ('error' in linked) throw new Error(linked.error)
    qr.push(linked.connectMs)
  }
  emit('offer_qr_chars', first!.text.length, 'chars')
  emit('offer_qr_version', first!.version, 'version')
  emit('raw_sdp_bytes', first!.rawSdpBytes, 'bytes')
  emit('connect_qr_ms', round(median(qr)), 'ms')

  // Invite: scanned text -> link up (WebSocket, join, trickle ICE, handshake)
  const inv: number[] = []
  for (let i = 0; i < RUNS; i++) {
    await fresh()
    const invite = await a.page.evaluate(async (u) => await window.h.hostInvite(u), srv.signalUrl)
    const linked = await b.page.evaluate(async ([t, u]) => await window.h.joinInvite(t!, u!), [invite.text, srv.signalUrl])
    if ('error' in linked) throw new Error(linked.error)
    inv.push(linked.ms)
  }
  emit('connect_invite_ms', round(median(inv)), 'ms')

  // Fallback on evidence: every candidate reaches nowhere, options as the app uses them.
  // Scan -> relay link up with identities proven.
  const proxy = await blackholeProxy(srv.signalUrl)
  try {
    const fb: number[] = []
    for (let i = 0; i < 3; i++) {
      await fresh()
      const invite = await a.page.evaluate(async (u) => await window.h.hostInvite(u), proxy.url)
      const linked = await b.page.evaluate(async ([t, u]) => await window.h.joinInvite(t!, u!), [invite.text, proxy.url])
      if ('error' in linked || linked.path !== 'relay') throw new Error('fallback to the relay failed')
      await a.page.evaluate(async () => await window.h.waitLink())
      fb.push(linked.ms)
      await a.page.evaluate(() => window.h.close())
    }
    emit('relay_fallback_ms', round(median(fb)), 'ms')
  } finally { await proxy.close() }

  // Relay: B may not use direct ICE, so both fall back; 200 echo round trips of 200 B.
  await fresh()
  const invite = await a.page.evaluate(async (u) => await window.h.hostInvite(u, { directTimeoutMs: 1500 }), srv.signalUrl)
  const linked = await b.page.evaluate(async ([t, u]) => await window.h.joinInvite(t!, u!, { directTimeoutMs: 1500, iceTransportPolicy: 'relay' }), [invite.text, srv.signalUrl])
  if ('error' in linked || linked.mode !== 'relay') throw new Error('relay link failed')
  await a.page.evaluate(async () => await window.h.waitLink())
  const rtts = (await b.page.evaluate(async () => await window.h.echoRtts(200, 200))).sort((x, y) => x - y)
  emit('relay_rtt_p99_ms', round(rtts[Math.floor(rtts.length * 0.99)]!), 'ms')
  emit('relay_rtt_p50_ms', round(rtts[Math.floor(rtts.length * 0.5)]!), 'ms')
} finally {
  await a.browser.close(); await b.browser.close()
  await srv.close()
  built.cleanup()
}
