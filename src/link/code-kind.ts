// Tells what a scanned Handover code is without decoding it fully, so one camera
// screen can route an offer, an answer or an invite (or reject a foreign code).
import { decodeInvite } from '../core/link-auth/invite.ts'
import { base45Decode, decodeSdpText, readPayloadHeader, stripLineBreaks, type PayloadKindName } from '../core/sdp/index.ts'

export function codeKind (text: string): PayloadKindName | undefined {
  try {
    return readPayloadHeader(base45Decode(stripLineBreaks(text))[0])
  } catch {
    return undefined
  }
}

function decodesFully (text: string): boolean {
  try {
    const kind = readPayloadHeader(base45Decode(text)[0])
    if (kind === 'invite') decodeInvite(text); else decodeSdpText(text)
    return true
  } catch {
    return false
  }
}

/** Surrounding whitespace tried at most this deep on each side. */
const MAX_STRIP = 16

/**
 * The Handover code in a scanned or pasted text, exactly as encoded, or undefined.
 * Space is a base45 digit, so a code may begin or end with one: trimming first would
 * turn ~2% of valid codes into garbage. Instead every way of dropping surrounding
 * whitespace is tried, least dropped first, and the first that decodes completely
 * wins. Extra spaces can't pass for code: three base45 spaces exceed 16 bits, and
 * one or two more change the length into something the codecs refuse.
 */
export function recogniseCode (text: string): string | undefined {
  const lead = /^\s*/.exec(text)![0].length
  if (lead === text.length) return undefined
  const trail = /\s*$/.exec(text)![0].length
  const tries: Array<[number, number]> = []
  for (let l = 0; l <= Math.min(lead, MAX_STRIP); l++) for (let t = 0; t <= Math.min(trail, MAX_STRIP); t++) tries.push([l, t])
  tries.sort((a, b) => (a[0] + a[1]) - (b[0] + b[1]))
  for (const [l, t] of tries) {
    // Only trimmed from the outside in: never drop a space between kept characters.
    const candidate = text.slice(l, text.length - t)
    if (decodesFully(candidate)) return candidate
  }
  return undefined
}
