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
// How it connected (for screens, benchmarks and the network lab): linkReport(link) ->
//   { path: 'direct' | 'turn' | 'relay', connectMs, fallback? }
//   path      'direct' WebRTC phone to phone (host or server-reflexive pair), 'turn' WebRTC
//             whose selected pair has a relay candidate, 'relay' the encrypted WebSocket relay
//   connectMs from this phone's start (joinInvite call / invite peer joined / offer.accept /
//             answerQrOffer call) to both identities proven
//   fallback  why the direct attempt was dropped for the relay: 'ice-failed' | 'no-candidates'
//             | 'no-response' | 'timeout' (evidence rule, ice-evidence.ts) | 'peer' (the other
//             phone switched first) | 'no-webrtc'
// In the app, the connected screen shows describePath(path) and its PeerBadge element
// (data-testid="peer") carries data-link-path and data-connect-ms.
export { createQrOffer, answerQrOffer, type QrOffer, type QrAnswer, type QrPairingOptions } from './qr-pairing.ts'
export { hostInvite, joinInvite, openSignal, type HostedInvite, type InviteOptions } from './invite-pairing.ts'
export { openLink, linkReport, type Link, type LinkClosed, type CloseReason, type LinkOptions, type LinkFallback, type LinkReport } from './link.ts'
export { describePath, explainFailure, type FailureFacts, type FailureKind } from './explain.ts'
export type { LinkPath, FallbackReason } from './ice-evidence.ts'
export { LinkError, type LinkErrorCode } from './errors.ts'
export { drawQr, qrVersion } from './qr-draw.ts'
// Scanning pulls in the decoder: import './qr-scan.ts' lazily where it is needed.
export { SignalClient, type WebSocketCtor } from './signal-client.ts'
export type { Transport, TransportKind } from './transport.ts'
export { codeKind } from './code-kind.ts'
export type { PayloadKindName } from '../core/sdp/index.ts'
