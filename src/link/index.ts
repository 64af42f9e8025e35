// Public API of the peer link. Everything a screen or a use case needs; the rest
// of src/link is implementation.
//
// Serverless (QR both ways):
//   A: const offer = await createQrOffer({ identity })      -> drawQr(canvas, offer.text)
//   B: const ans = await answerQrOffer(scanned, { identity }) -> drawQr(canvas, ans.text); const link = await ans.link
//   A: const link = await offer.accept(scannedAnswer)
// Online (one scan):
//   A: const inv = await hostInvite({ identity, signalUrl }) -> drawQr(canvas, inv.text); const link = await inv.link
//   B: const link = await joinInvite(scanned, { identity, signalUrl })   // falls back to the encrypted relay
// Then: link.peerKey (proven identity), link.sas (show on both screens), link.send(msg),
// link.onMessage(cb), link.onClose(cb), link.close().
export { createQrOffer, answerQrOffer, type QrOffer, type QrAnswer, type QrPairingOptions } from './qr-pairing.ts'
export { hostInvite, joinInvite, type HostedInvite, type InviteOptions } from './invite-pairing.ts'
export { openLink, type Link, type LinkClosed, type CloseReason, type LinkOptions } from './link.ts'
export { LinkError, type LinkErrorCode } from './errors.ts'
export { drawQr, qrVersion } from './qr-draw.ts'
// Scanning pulls in the decoder: import './qr-scan.ts' lazily where it is needed.
export { SignalClient, type WebSocketCtor } from './signal-client.ts'
export type { Transport, TransportKind } from './transport.ts'
export { codeKind } from './code-kind.ts'
export type { PayloadKindName } from '../core/sdp/index.ts'
