// Runs the app's camera scanner for a while on whatever the (fake) camera shows, with a
// chosen engine, counting the codes it reads; bench/scan-main-thread.ts measures the page.
import { scanQrFromCamera, type DecoderChoice } from '../../../src/link/qr-scan.ts'

declare global {
  interface Window { scanBench: { run: (decoder: DecoderChoice | 'none', ms: number, fps: number, frames?: 'auto' | 'video') => Promise<{ engine: string, reads: number, longTasks: Array<{ start: number, ms: number }> }> } }
}

/** The floor: the camera on screen and nothing decoding. */
async function cameraOnly (ms: number): Promise<{ engine: string, reads: number, longTasks: Array<{ start: number, ms: number }> }> {
  const longTasks: Array<{ start: number, ms: number }> = []
  const obs = new PerformanceObserver(l => { for (const e of l.getEntries()) longTasks.push({ start: e.startTime, ms: e.duration }) })
  obs.observe({ type: 'longtask' })
  const video = document.getElementById('camera') as HTMLVideoElement
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } } })
  video.srcObject = stream
  await video.play()
  await new Promise(resolve => setTimeout(resolve, ms))
  stream.getTracks().forEach(t => { t.stop() })
  obs.disconnect()
  return { engine: 'none', reads: 0, longTasks }
}

window.scanBench = {
  async run (decoder, ms, fps, frames = 'auto') {
    if (decoder === 'none') return await cameraOnly(ms)
    const ctl = new AbortController()
    let engine = ''
    let reads = 0
    const longTasks: Array<{ start: number, ms: number }> = []
    const obs = new PerformanceObserver(l => { for (const e of l.getEntries()) longTasks.push({ start: e.startTime, ms: e.duration }) })
    obs.observe({ type: 'longtask' })
    setTimeout(() => { ctl.abort() }, ms)
    try {
      await scanQrFromCamera({
        video: document.getElementById('camera') as HTMLVideoElement,
        decoder,
        fps,
        frames,
        signal: ctl.signal,
        onDecoder: (e, f) => { engine = `${e}/${f}` },
        // Never accept: keep scanning, as an animated code's reader does.
        accept: () => { reads++; return false }
      })
    } catch (e) {
      if ((e as DOMException).name !== 'AbortError') throw e
    } finally {
      obs.disconnect()
    }
    return { engine, reads, longTasks }
  }
}
document.getElementById('status')!.textContent = 'ready'
