// Launching Chromium "phones" and feeding their fake camera a real picture of the
// other phone's screen.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

export const BASE_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'
]

export interface Phone { browser: Browser, page: Page, camera?: string }

/**
 * One browser process per phone. With `camera`, Chromium's fake capture device
 * plays that y4m file; it is read when capture starts, so the test can rewrite it
 * with whatever the phone should "see" just before the page opens the camera.
 */
export async function launchPhone (url: string, opts: { camera?: string, extraArgs?: string[] } = {}): Promise<Phone> {
  const args = [...BASE_ARGS, ...opts.extraArgs ?? []]
  if (opts.camera !== undefined) {
    writeBlankY4m(opts.camera)
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${opts.camera}`)
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args })
  const page = await browser.newPage({ viewport: { width: 600, height: 700 } })
  page.on('pageerror', e => { console.error('[page error]', e.message) })
  await page.goto(url)
  await page.waitForFunction(() => (window as unknown as { h?: unknown }).h !== undefined)
  return { browser, page, ...(opts.camera !== undefined ? { camera: opts.camera } : {}) }
}

function writeBlankY4m (path: string): void {
  const w = 640; const hgt = 480
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(w * hgt, 235), Buffer.alloc(w * hgt / 2, 128)])
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${hgt} F10:1 Ip A1:1 C420jpeg\n`), frame]))
}

/** Screenshot of the QR canvas on `from`, turned into a y4m the `to` phone's camera plays. */
export async function pointCamera (from: Page, camera: string, pngPath: string): Promise<void> {
  await from.locator('#qr').screenshot({ path: pngPath })
  execFileSync('ffmpeg', [
    '-y', '-loglevel', 'error', '-loop', '1', '-i', pngPath,
    '-vf', 'pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p',
    '-frames:v', '3', '-f', 'yuv4mpegpipe', camera
  ])
}
