// Regenerates the committed set of camera-like QR frames for bench/qr-decode.ts:
//   npx tsx bench/qr-frames/make.ts     (needs ffmpeg)
// Codes: our own (an offer as the two-scan pairing shows it, a one-scan payment invite) and BIP21 codes from other wallets; each is drawn as our screen draws it
// (EC level M, base45 in alphanumeric mode), placed on a grey "phone screen" background
// and degraded the way a phone camera sees a screen: too far away, out of focus, shaken,
// tilted, dim, washed out, reflecting a lamp, moiré, heavy JPEG, and inverted (dark mode).
// Frames are 480x360 greyscale JPEG so the whole set stays a few hundred KB.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import QRCode from 'qrcode'
import { PrivateKey } from '@bsv/sdk'
import { encodeSdpText } from '../../src/core/sdp/index.ts'
import { encodeInvite } from '../../src/core/link-auth/invite.ts'

const here = dirname(fileURLToPath(import.meta.url))
const fixture = (n: string): string => readFileSync(join(here, '../../tests/fixtures/sdp', `${n}.txt`), 'utf8')
const W = 480; const H = 360

// Fixed keys: the set is reproducible byte for byte (given the same ffmpeg).
const key = PrivateKey.fromHex('11'.repeat(32))
const addr = key.toAddress()
const codes: Array<{ name: string, text: string }> = [
  { name: 'offer', text: encodeSdpText('offer', fixture('chromium-offer')) },
  { name: 'invite', text: encodeInvite({ room: '0123456789abcdef0123456789abcdef', identityKey: key.toPublicKey().toString() }) },
  { name: 'bip21', text: `bitcoin:${addr}?sv&amount=0.00012345&label=Coffee%20stall&message=Order%2042` }
]

interface Degradation {
  name: string
  /** Code width in pixels on the frame. */
  size: number
  /** ffmpeg filters on the whole grey frame, after the code is placed. */
  filters?: string[]
  /** The screen shows the code light-on-dark. */
  invert?: boolean
  /** JPEG quality scale (2 best .. 31 worst). */
  q?: number
}
const lum = (expr: string): string => `geq=lum='${expr}'`
const degradations: Degradation[] = [
  { name: 'far', size: 130 },
  { name: 'very-far', size: 100 },
  { name: 'blur', size: 260, filters: ['gblur=sigma=2.2'] },
  { name: 'blur-hard', size: 260, filters: ['gblur=sigma=3.4'] },
  { name: 'shake', size: 240, filters: ['avgblur=sizeX=2:sizeY=1'] },
  { name: 'tilt', size: 250, filters: ['rotate=a=23*PI/180:fillcolor=0x5a5a5a'] },
  { name: 'perspective', size: 280, filters: [`perspective=x0=60:y0=20:x1=${W - 20}:y1=70:x2=90:y2=${H - 10}:x3=${W - 60}:y3=${H - 70}:sense=destination`] },
  { name: 'low-contrast', size: 240, filters: ['eq=contrast=0.28:brightness=0.12'] },
  { name: 'low-contrast-hard', size: 240, filters: ['eq=contrast=0.14:brightness=0.2'] },
  { name: 'dim-noisy', size: 240, filters: ['eq=brightness=-0.28:contrast=0.6', 'noise=alls=14:allf=t'] },
  { name: 'glare', size: 260, filters: [lum('min(255,lum(X,Y)+230*exp(-((X-270)*(X-270)+(Y-150)*(Y-150))/(2*45*45)))')] },
  { name: 'glare-hard', size: 260, filters: [lum('min(255,lum(X,Y)+250*exp(-((X-190)*(X-190)+(Y-95)*(Y-95))/(2*55*55)))')] },
  { name: 'moire', size: 250, filters: [lum('lum(X,Y)*(0.84+0.16*sin(X*0.31+Y*0.12+3*sin(Y*0.021)))')] },
  { name: 'moire-hard', size: 250, filters: [lum('lum(X,Y)*(0.7+0.3*sin(X*0.52+Y*0.2+4*sin(Y*0.03)))')] },
  { name: 'jpeg', size: 220, q: 31 },
  { name: 'steep', size: 300, filters: [`perspective=x0=150:y0=40:x1=${W - 40}:y1=0:x2=150:y2=${H - 40}:x3=${W - 40}:y3=${H}:sense=destination`] },
  { name: 'inverted', size: 240, invert: true },
  { name: 'inverted-tilt-blur', size: 250, invert: true, filters: ['rotate=a=-14*PI/180:fillcolor=0x202020', 'gblur=sigma=1.3'] }
]

const tmp = mkdtempSync(join(tmpdir(), 'qr-frames-'))
try {
  for (const f of readdirSync(here)) if (f.endsWith('.jpg')) rmSync(join(here, f))
  const manifest: Array<{ file: string, code: string, degradation: string, text: string }> = []
  for (const c of codes) {
    const png = join(tmp, `${c.name}.png`)
    const segs = /^[0-9A-Z $%*+\-./:]*$/.test(c.text) ? [{ data: c.text, mode: 'alphanumeric' as const }] : c.text
    await QRCode.toFile(png, segs as string, { errorCorrectionLevel: 'M', scale: 8, margin: 4 })
    for (const d of degradations) {
      const file = `${c.name}--${d.name}.jpg`
      const bg = d.invert === true ? '0x202020' : '0x5a5a5a'
      const chain = [
        `[0:v]format=gray,${d.invert === true ? 'negate,' : ''}scale=${d.size}:${d.size}:flags=area[code]`,
        `color=c=${bg}:s=${W}x${H},format=gray[bg]`,
        `[bg][code]overlay=x=(W-w)/2+12:y=(H-h)/2-6,format=gray${d.filters !== undefined ? ',' + d.filters.join(',') : ''},format=gray[out]`
      ].join(';')
      execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-i', png, '-filter_complex', chain, '-map', '[out]', '-frames:v', '1', '-q:v', String(d.q ?? 12), join(here, file)])
      manifest.push({ file, code: c.name, degradation: d.name, text: c.text })
    }
  }
  writeFileSync(join(here, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n')
  const bytes = manifest.reduce((s, m) => s + statSync(join(here, m.file)).size, 0)
  console.log(`${manifest.length} frames, ${Math.round(bytes / 1024)} KB`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
