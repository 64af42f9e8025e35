import { codeKind } from '../link/code-kind.ts'

/** True when a scanned text is a Handover connection code rather than an address or URI. */
export function isConnectionCode (text: string): boolean {
  return codeKind(text) !== undefined
}
