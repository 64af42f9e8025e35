// Every failure a person can meet on a link, with a code for the app and a
// sentence for the screen.
export type LinkErrorCode =
  | 'bad-code'          // scanned text is not a usable Handover code
  | 'ice-failed'        // WebRTC could not connect and no relay was possible
  | 'timeout'           // a step took too long
  | 'identity'          // the identity proof failed: possible interception
  | 'protocol'          // the peer sent something malformed or oversized
  | 'signalling'        // the signalling service refused or went away
  | 'closed'            // the link was closed
  | 'no-webrtc'         // this engine has no WebRTC: only the relay can carry a link

export class LinkError extends Error {
  override name = 'LinkError'
  constructor (readonly code: LinkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
