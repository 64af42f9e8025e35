// Bounded decoding of what clients submit to the devnet (raw, EF / BRC-30, BEEF V1/V2).
// The SDK's own readers run past the end of hostile input: an 11-byte BEEF claiming
// 2^32 transactions looped until the heap ran out and took the whole server down.
// Every read here goes through BoundedReader (throws at the end of the data), BUMPs are
// pre-scanned in linear time, and counts are checked against the bytes left.
import { Beef, LockingScript, Transaction, UnlockingScript, Utils } from '@bsv/sdk'
import { BoundedReader } from '../../src/core/protocol/bounded-reader.ts'
import { scanBumps, type BumpLimits } from '../../src/core/protocol/beef-scan.ts'

export type SubmissionFormat = 'raw' | 'ef' | 'beef'

/** A source output an EF input carries (satoshis and locking script of the output it spends). */
export interface EfSource {
  satoshis: number
  lockingScript: LockingScript
}

export interface Submission {
  format: SubmissionFormat
  beef: Beef
  /** Unmined transactions to process, parents first; the last is the subject. */
  txids: string[]
  /** EF only: what each input of the subject says it spends. */
  efSources?: EfSource[]
}

/** Why a submission could not be decoded, with the status ARC answers for it. */
export class ParseError extends Error {
  constructor (readonly status: 400 | 463, message: string) { super(message) }
}

const BEEF_LIMITS: BumpLimits = { maxBumps: 1000, maxBumpLevel0Leaves: 4096, maxBumpLeaves: 65_536, maxLevel0LeavesTotal: 16_384 }
const MAX_BEEF_TXS = 10_000
const BEEF_V1 = [0x01, 0x00, 0xbe, 0xef]
const BEEF_V2 = [0x02, 0x00, 0xbe, 0xef]
const ATOMIC = [0x01, 0x01, 0x01, 0x01]
const EF_MARKER = [0, 0, 0, 0, 0, 0xef]

function startsWith (bytes: Uint8Array, prefix: number[], at = 0): boolean {
  return prefix.every((b, i) => bytes[at + i] === b)
}

/** Reads a varint count and refuses one the remaining bytes cannot hold (each item ≥ `minItemBytes`). */
function readCount (r: BoundedReader, minItemBytes: number, what: string): number {
  const n = r.readVarIntNum(false)
  if (!Number.isSafeInteger(n) || n < 0 || n * minItemBytes > r.size - r.pos) {
    throw new RangeError(`claims ${String(n)} ${what} in ${r.size - r.pos} bytes`)
  }
  return n
}

/** A plain transaction, every length checked before it is read. */
export function readTx (r: BoundedReader): Transaction {
  // Transaction.fromReader reads counts then loops; with BoundedReader each loop ends at the data's end.
  const start = r.pos
  const version = r.readUInt32LE()
  const nIn = readCount(r, 41, 'inputs')
  for (let i = 0; i < nIn; i++) { r.read(36); r.read(readCount(r, 1, 'script bytes')); r.read(4) }
  const nOut = readCount(r, 9, 'outputs')
  for (let i = 0; i < nOut; i++) { r.read(8); r.read(readCount(r, 1, 'script bytes')) }
  r.read(4)
  void version
  const bytes = r.bin.slice(start, r.pos)
  return Transaction.fromReader(new BoundedReader(bytes))
}

/** EF (BRC-30): like raw, but each input also carries the satoshis and script it spends. */
function readEf (r: BoundedReader): { tx: Transaction, sources: EfSource[] } {
  const version = r.readUInt32LE()
  r.read(6) // marker, checked by the caller
  const nIn = readCount(r, 50, 'inputs')
  const tx = new Transaction(version, [], [], 0)
  const sources: EfSource[] = []
  for (let i = 0; i < nIn; i++) {
    const sourceTXID = Utils.toHex(r.readReverse(32))
    const sourceOutputIndex = r.readUInt32LE()
    const unlockingScript = UnlockingScript.fromBinary(Array.from(r.read(readCount(r, 1, 'script bytes'))))
    const sequence = r.readUInt32LE()
    const satoshis = r.readUInt64LEBn().toNumber()
    const lockingScript = LockingScript.fromBinary(Array.from(r.read(readCount(r, 1, 'script bytes'))))
    // Not the SDK's fromEF: it allocates an array of `sourceOutputIndex + 1` entries, so a
    // claimed index of 2^32-1 asks for gigabytes.
    tx.addInput({ sourceTXID, sourceOutputIndex, unlockingScript, sequence })
    sources.push({ satoshis, lockingScript })
  }
  const nOut = readCount(r, 9, 'outputs')
  for (let i = 0; i < nOut; i++) {
    const satoshis = r.readUInt64LEBn().toNumber()
    tx.addOutput({ satoshis, lockingScript: LockingScript.fromBinary(Array.from(r.read(readCount(r, 1, 'script bytes')))) })
  }
  tx.lockTime = r.readUInt32LE()
  return { tx, sources }
}

/**
 * Decodes a submission the way ARC's POST /v1/tx does: BEEF (V1, V2 or Atomic), EF or raw.
 * A BEEF that does not decode is ARC's 463; a raw transaction that does not decode is 400.
 */
export function parseSubmission (input: Uint8Array | number[]): Submission {
  const bytes = input instanceof Uint8Array ? input : Uint8Array.from(input)
  if (bytes.length === 0) throw new ParseError(400, 'empty transaction')
  const isBeef = startsWith(bytes, BEEF_V1) || startsWith(bytes, BEEF_V2) || (startsWith(bytes, ATOMIC) && bytes.length >= 40 && (startsWith(bytes, BEEF_V1, 36) || startsWith(bytes, BEEF_V2, 36)))
  if (isBeef) {
    const scan = scanBumps(bytes, BEEF_LIMITS)
    if (!scan.ok) throw new ParseError(463, `error decoding BEEF: ${scan.detail}`)
    let beef: Beef
    try {
      const r = new BoundedReader(bytes)
      beef = Beef.fromReader(r)
      if (r.pos !== r.size) throw new Error('trailing bytes after the BEEF')
    } catch (e) {
      throw new ParseError(463, `error decoding BEEF: ${(e as Error).message}`)
    }
    if (beef.txs.length > MAX_BEEF_TXS) throw new ParseError(463, `error decoding BEEF: ${beef.txs.length} transactions`)
    try {
      beef.sortTxs()
    } catch (e) {
      throw new ParseError(463, `error decoding BEEF: ${(e as Error).message}`)
    }
    const txids = beef.txs.filter(t => t.bumpIndex === undefined && !t.isTxidOnly).map(t => t.txid)
    // ARC: "in case there is just 1 transaction append it, otherwise append only unmined".
    if (txids.length === 0 && beef.txs.length === 1 && !beef.txs[0]!.isTxidOnly) txids.push(beef.txs[0]!.txid)
    if (txids.length === 0) throw new ParseError(463, 'error decoding BEEF: no transaction to submit')
    const subject = beef.atomicTxid
    if (subject !== undefined && txids[txids.length - 1] !== subject) throw new ParseError(463, 'error decoding BEEF: the atomic subject is not the last transaction')
    return { format: 'beef', beef, txids }
  }
  try {
    const r = new BoundedReader(bytes)
    let tx: Transaction
    let efSources: EfSource[] | undefined
    const format: SubmissionFormat = bytes.length > 10 && startsWith(bytes, EF_MARKER, 4) ? 'ef' : 'raw'
    if (format === 'ef') ({ tx, sources: efSources } = readEf(r))
    else tx = readTx(r)
    if (r.pos !== r.size) throw new Error('trailing bytes after the transaction')
    const beef = new Beef()
    beef.mergeRawTx(tx.toBinary())
    return { format, beef, txids: [tx.id('hex')], efSources }
  } catch (e) {
    throw new ParseError(400, `could not read transaction: ${(e as Error).message}`)
  }
}

/** The txid a submission is about, or '' when it does not decode (fault bodies use it). */
export function submissionTxid (bytes: Uint8Array): string {
  try {
    const s = parseSubmission(bytes)
    return s.txids[s.txids.length - 1] ?? ''
  } catch {
    return ''
  }
}
