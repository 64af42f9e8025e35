// offer_qr_version_{chromium,firefox}, answer_qr_version_{chromium,firefox}: the QR version
// (EC M, alphanumeric) of the connection code made from real SDPs the engines produced
// (tests/fixtures/sdp, captured with scripts/capture-sdp.ts). Goal ≤ 6. The raw SDP's own
// version is printed beside each as the baseline.
import { readFileSync } from 'node:fs'
import QRCode from 'qrcode'
import { decodeSdpText, encodeSdpText } from '../src/core/sdp/index.ts'

const fixture = (name: string): string => readFileSync(new URL(`../tests/fixtures/sdp/${name}.txt`, import.meta.url), 'utf8')
const cases = [
  { metric: 'offer_qr_version_chromium', kind: 'offer', file: 'chromium-offer' },
  { metric: 'offer_qr_version_firefox', kind: 'offer', file: 'firefox-offer' },
  { metric: 'answer_qr_version_chromium', kind: 'answer', file: 'chromium-answer-to-firefox' },
  { metric: 'answer_qr_version_firefox', kind: 'answer', file: 'firefox-answer-to-chromium' },
  // with STUN and TURN configured: host + server-reflexive + relay candidates (scripts/capture-sdp-ice.ts)
  { metric: 'offer_qr_version_chromium_ice', kind: 'offer', file: 'chromium-offer-ice' },
  { metric: 'answer_qr_version_chromium_ice', kind: 'answer', file: 'chromium-answer-ice' }
] as const
for (const c of cases) {
  const sdp = fixture(c.file)
  const text = encodeSdpText(c.kind, sdp)
  const version = QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' }).version
  const raw = QRCode.create(sdp, { errorCorrectionLevel: 'M' }).version
  const kinds = decodeSdpText(text).compact.candidates.map(x => x.type).join(',')
  console.log(JSON.stringify({ metric: c.metric, value: version, unit: 'qr_version', chars: text.length, candidates: kinds, raw_sdp_qr_version: raw }))
}
