// Public API of the peer link. Everything a screen or a use case needs; the rest
// of src/link is implementation.
export { createQrOffer, answerQrOffer, type QrOffer, type QrAnswer, type QrPairingOptions } from './qr-pairing.ts'
export { hostInvite, joinInvite, type HostedInvite, type InviteOptions } from './invite-pairing.ts'
export { openLink, type Link, type LinkClosed, type CloseReason, type LinkOptions } from './link.ts'
export { LinkError, type LinkErrorCode } from './errors.ts'
export { drawQr, qrVersion, decodeQrFrame, scanQrFromCamera, type ScanOptions } from './qr-code.ts'
export { SignalClient, type WebSocketCtor } from './signal-client.ts'
export type { Transport, TransportKind } from './transport.ts'
export { readPayloadHeader, type PayloadKindName } from '../core/sdp/index.ts'
