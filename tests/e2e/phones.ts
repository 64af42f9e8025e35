// Two phones as two Chromium processes, each with a fake camera whose picture the test
// sets to whatever the other phone's screen shows (a y4m made with ffmpeg from a screenshot).
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launch } from './browser.ts'
import { recordPageErrors } from './page-errors.ts'

export interface CameraPhone { browser: Browser, page: Page, camera: string }

export async function cameraPhone (url: string, dir: string, name: string): Promise<CameraPhone> {
  const camera = join(dir, `${name}.y4m`)
  writeBlank(camera)
  const browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${camera}`])
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, permissions: ['camera'] })
  const page = await ctx.newPage()
  recordPageErrors(page, name)
  if (process.env.DEBUG_PHONES === '1') page.on('console', m => { console.error(`[${name}] ${m.type()}: ${m.text()}`) })
  await page.goto(url)
  return { browser, page, camera }
}

export function writeBlank (path: string): void {
  const w = 640; const h = 480
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.alloc(w * h, 235), Buffer.alloc(w * h / 2, 128)])
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`), frame]))
}

/** Points `to`'s camera at the code `from` shows. Chromium reads the file when the camera opens. */
export async function pointCamera (from: Page, to: Pick<CameraPhone, 'camera'>, dir: string): Promise<string> {
  const qr = from.getByTestId('pair-qr')
  await qr.waitFor()
  const png = join(dir, `shot-${Date.now()}.png`)
  await qr.screenshot({ path: png })
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-i', png,
    '-vf', 'scale=w=460:h=460:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p',
    '-frames:v', '3', '-f', 'yuv4mpegpipe', to.camera])
  return (await qr.getAttribute('data-text')) ?? ''
}
