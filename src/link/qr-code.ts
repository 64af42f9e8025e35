// Showing and reading QR codes; see qr-draw.ts and qr-scan.ts (split so the camera
// decoder can be loaded lazily).
export { qrVersion, drawQr } from './qr-draw.ts'
export { decodeQrFrame, scanQrFromCamera, type ScanOptions } from './qr-scan.ts'
