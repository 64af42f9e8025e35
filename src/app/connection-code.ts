import { recogniseCode } from '../link/code-kind.ts'

/** The Handover connection code in a scanned or pasted text (untrimmed), or undefined for an address or URI. */
export function connectionCodeIn (text: string): string | undefined {
  return recogniseCode(text)
}

/** True when a scanned text is a Handover connection code rather than an address or URI. */
export function isConnectionCode (text: string): boolean {
  return recogniseCode(text) !== undefined
}
