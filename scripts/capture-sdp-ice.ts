// Captures a Chromium data-channel offer and the answer Chromium gives to it while a
// STUN/TURN server is configured, so the codec's fixtures carry real server-reflexive
// and relay candidate lines (tests/fixtures/sdp/chromium-*-ice.txt). Point ICE_SERVERS
// at a coturn you started on a non-loopback address, e.g.
//   turnserver -n --listening-ip=ADDR --listening-port=3478 --lt-cred-mech --user=u:p --realm=x
//   ICE_SERVERS='[{"urls":"stun:ADDR:3478"},{"urls":"turn:ADDR:3478","username":"u","credential":"p"}]' \
//     npx tsx scripts/capture-sdp-ice.ts
// (Chromium hides host addresses behind mDNS names and then reports its server-reflexive
// address even when it equals the host address, as a phone on an un-NATed network does.)
// Prints the SDPs; the committed fixtures are such output as printed (the capturing
// host sat on 192.0.2.2 and fd00::2, addresses that lead nowhere outside a lab).
import { launch } from '../tests/e2e/browser.ts'

const iceServers = JSON.parse(process.env.ICE_SERVERS ?? '[]') as RTCIceServer[]
const browser = await launch()
try {
  const page = await (await browser.newContext()).newPage()
  await page.goto('about:blank')
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  const out = await page.evaluate(`(async (servers) => {
    const gather = async (pc) => {
      await new Promise(resolve => {
        if (pc.iceGatheringState === 'complete') resolve()
        pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() })
        setTimeout(resolve, 6000)
      })
      return pc.localDescription?.sdp ?? ''
    }
    const a = new RTCPeerConnection({ iceServers: servers })
    a.createDataChannel('handover', { ordered: true })
    await a.setLocalDescription(await a.createOffer())
    const offer = await gather(a)
    // Give the TURN server a moment between the two allocations.
    await new Promise(r => setTimeout(r, 500))
    const b = new RTCPeerConnection({ iceServers: servers })
    await b.setRemoteDescription({ type: 'offer', sdp: offer })
    await b.setLocalDescription(await b.createAnswer())
    const answer = await gather(b)
    a.close(); b.close()
    return { offer, answer }
  })(${JSON.stringify(iceServers)})`) as { offer: string, answer: string }
  console.log(`--- offer\n${out.offer}\n--- answer\n${out.answer}`)
} finally {
  await browser.close()
}
