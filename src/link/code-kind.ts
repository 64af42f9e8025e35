// Tells what a scanned Handover code is without decoding it fully, so one camera
// screen can route an offer, an answer or an invite (or reject a foreign code).
import { base45Decode, readPayloadHeader, stripLineBreaks, type PayloadKindName } from '../core/sdp/index.ts'

export function codeKind (text: string): PayloadKindName | undefined {
  try {
    return readPayloadHeader(base45Decode(stripLineBreaks(text))[0])
  } catch {
    return undefined
  }
}
