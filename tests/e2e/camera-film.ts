// A phone's fake camera filming the other phone's screen for the codes-only hand-over:
// frames are captured from the showing page (an animated code: one screenshot per frame
// it draws) and written into the filming phone's y4m, which Chromium reads when the
// camera opens and plays in a loop.
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import QRCode from 'qrcode'
import type { Page } from 'playwright-core'

const FIT = 'scale=w=460:h=460:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p'
let shots = 0

/** PNG files in order → the camera's y4m, each shown `repeat` camera frames at 10 fps. */
function toCamera (folder: string, camera: string, repeat: number): void {
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-framerate', String(10 / repeat), '-i', join(folder, '%04d.png'),
    '-vf', FIT, '-r', '10', '-f', 'yuv4mpegpipe', camera])
}

function freshFolder (dir: string): string {
  const folder = join(dir, `film-${shots++}`)
  rmSync(folder, { recursive: true, force: true })
  mkdirSync(folder)
  return folder
}

/** Points `camera` at the static code `from` shows (request or ack). Returns its text. */
export async function filmStatic (from: Page, camera: string, dir: string): Promise<string> {
  const qr = from.getByTestId('camera-qr')
  await qr.waitFor()
  const folder = freshFolder(dir)
  await qr.screenshot({ path: join(folder, '0000.png') })
  await qr.screenshot({ path: join(folder, '0001.png') })
  toCamera(folder, camera, 2)
  return (await qr.getAttribute('data-text')) ?? ''
}

/**
 * Records the animated code `from` shows until `distinct` different frames were captured,
 * then points `camera` at the recording with the frames `drop(i)` says were lost (a hand
 * moving, glare): those never reach the camera at all. Returns how many frames were kept.
 */
export async function filmAnimated (from: Page, camera: string, dir: string, opts: { distinct: number, drop?: (i: number) => boolean }): Promise<number> {
  const qr = from.getByTestId('camera-qr')
  await qr.waitFor()
  const folder = freshFolder(dir)
  const seen = new Set<string>()
  let kept = 0
  let i = 0
  while (seen.size < opts.distinct) {
    const text = (await qr.getAttribute('data-text')) ?? ''
    if (text === '' || seen.has(text)) { await from.waitForTimeout(20); continue }
    seen.add(text)
    const png = await qr.screenshot()
    // The frame on screen may have moved on while the picture was taken: the camera films
    // whatever it got, as a real one would.
    if (opts.drop?.(i++) !== true) {
      writeFileSync(join(folder, `${String(kept).padStart(4, '0')}.png`), png)
      kept++
    }
  }
  toCamera(folder, camera, 2)
  return kept
}

/** Points `camera` at QR texts a test made itself (a hostile phone's animated code). */
export async function showTexts (texts: string[], camera: string, dir: string): Promise<void> {
  const folder = freshFolder(dir)
  for (const [i, t] of texts.entries()) {
    await QRCode.toFile(join(folder, `${String(i).padStart(4, '0')}.png`), [{ data: t, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M', margin: 4, scale: 5 })
  }
  toCamera(folder, camera, 2)
}
