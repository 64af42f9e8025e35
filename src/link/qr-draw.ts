// Showing QR codes: `qrcode` with an explicit alphanumeric segment (base45 payloads),
// EC level M. Kept apart from scanning so the decoder can load lazily.
import QRCode from 'qrcode'

const ALNUM = /^[0-9A-Z $%*+\-./:]*$/

function segments (text: string): QRCode.QRCodeSegment[] | string {
  return ALNUM.test(text) ? [{ data: text, mode: 'alphanumeric' }] : text
}

/** QR version (1-40) the text needs at EC level M. */
export function qrVersion (text: string): number {
  return QRCode.create(segments(text) as string, { errorCorrectionLevel: 'M' }).version
}

/** Draws the code on a canvas, `scale` pixels per module, with a 4-module quiet zone. */
export async function drawQr (canvas: HTMLCanvasElement, text: string, scale = 6): Promise<void> {
  await QRCode.toCanvas(canvas, segments(text) as string, { errorCorrectionLevel: 'M', scale, margin: 4 })
}
