// Captures real data-channel SDPs from the Debian browsers the suite drives, for the
// compact codec's fixtures (tests/fixtures/sdp/*.txt): an offer from each engine and
// the answer each engine gives to the other's offer. Host addresses are the
// engines' own mDNS names (what phones send), unless PLAIN=1 turns the hiding off
// to learn which priority goes with which address family.
//   npx tsx scripts/capture-sdp.ts            (writes the fixtures)
//   PLAIN=1 npx tsx scripts/capture-sdp.ts    (prints, writes nothing)
import { writeFileSync } from 'node:fs'
import { launchEngine, type EngineName } from '../tests/e2e/engines.ts'

const plain = process.env.PLAIN === '1'

type Gather = (remoteOffer?: string) => Promise<string>

function gatherIn (evaluate: <R>(fn: (arg: string | null) => Promise<R>, arg: string | null) => Promise<R>): Gather {
  return async (remoteOffer) => await evaluate(async (offer: string | null) => {
    const pc = new RTCPeerConnection()
    if (offer === null) {
      pc.createDataChannel('handover', { ordered: true })
      await pc.setLocalDescription(await pc.createOffer())
    } else {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer })
      await pc.setLocalDescription(await pc.createAnswer())
    }
    await new Promise<void>(resolve => {
      if (pc.iceGatheringState === 'complete') resolve()
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() })
      setTimeout(resolve, 4000)
    })
    return pc.localDescription?.sdp ?? ''
  }, remoteOffer ?? null)
}

const engines: EngineName[] = ['chromium', 'firefox']
const sessions = await Promise.all(engines.map(async e => await launchEngine(e, { plainHostAddresses: plain })))
try {
  // No camera permission: Chromium then hides host addresses behind mDNS names, as a
  // phone does before its first scan (the larger, harder case for the codec).
  const phones = await Promise.all(sessions.map(async s => await s.newPhone({ camera: false })))
  await Promise.all(phones.map(async p => { await p.goto('about:blank') }))
  const gather = phones.map(p => gatherIn(async (fn, arg) => await p.evaluate(fn, arg)))
  const out: Record<string, string> = {}
  for (const [i, e] of engines.entries()) out[`${e}-offer`] = await gather[i]!()
  for (const [i, e] of engines.entries()) {
    const other = engines[1 - i]!
    out[`${e}-answer-to-${other}`] = await gather[i]!(out[`${other}-offer`])
  }
  for (const [name, sdp] of Object.entries(out)) {
    if (plain) console.log(`--- ${name}\n${sdp}`)
    else writeFileSync(new URL(`../tests/fixtures/sdp/${name}.txt`, import.meta.url), sdp)
  }
} finally {
  await Promise.all(sessions.map(async s => { await s.close() }))
}
