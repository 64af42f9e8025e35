// Forged animated codes, as a hostile phone would show them: every part passes its own
// bytewords checksum (so only the message-level checks can catch them).
import { Buffer } from 'buffer'
import { UR, UREncoder } from '@gandlaf21/bc-ur'

interface Tamperable { fountainEncoder: { checksum: number, _messageLength: number } }

/** Parts of `bytes` whose announced CRC32 of the whole message is wrong. */
export function wrongChecksumParts (bytes: Uint8Array, count: number, fragmentBytes = 200): string[] {
  const enc = new UREncoder(UR.fromBuffer(Buffer.from(bytes)), fragmentBytes, 0, 10)
  ;(enc as unknown as Tamperable).fountainEncoder.checksum ^= 0x5a5a5a5a
  return Array.from({ length: count }, () => enc.nextPart().toUpperCase())
}

/** Parts that announce a message of `claimed` bytes (far beyond what they carry). */
export function oversizedParts (bytes: Uint8Array, claimed: number, count: number, fragmentBytes = 200): string[] {
  const enc = new UREncoder(UR.fromBuffer(Buffer.from(bytes)), fragmentBytes, 0, 10)
  ;(enc as unknown as Tamperable).fountainEncoder._messageLength = claimed
  return Array.from({ length: count }, () => enc.nextPart().toUpperCase())
}
