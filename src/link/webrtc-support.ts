// Whether this engine can make a direct WebRTC connection at all. Some can't:
// WebKitGTK as Debian builds it, privacy-hardened browsers that remove the API,
// some in-app webviews. Asked up front so a pairing never starts down a road that
// ends in simple-peer's "Not a supported browser".

export function hasWebRTC (): boolean {
  return typeof globalThis.RTCPeerConnection === 'function'
}

export const NO_WEBRTC_TWO_SCANS =
  'This browser cannot connect phones directly (it has no WebRTC), so two scans cannot work here. ' +
  'Use a one-scan code instead: the payment then goes through the encrypted relay, which needs internet.'

export const NO_WEBRTC_OFFLINE =
  'This browser cannot connect phones directly (it has no WebRTC), and without internet the encrypted relay is out of reach. ' +
  'Connect to the internet, or use another browser on this phone.'
