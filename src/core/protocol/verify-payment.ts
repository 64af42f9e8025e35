import { Beef, MerklePath, Utils } from '@bsv/sdk'
import type { ChainTracker, Transaction } from '@bsv/sdk'
import type { Network, Output, PaymentMessage, ReceiptMessage, RequestMessage } from './messages.ts'
import { ReasonCode, reasonMessage } from './reasons.ts'
import { BoundedReader } from './bounded-reader.ts'
import { scanBumps } from './beef-scan.ts'
import { feeFor } from '../coin-select.ts'
import { p2pkhSighash, preimageBytes, runMetered, ScriptMeter, ScriptTooCostly, SIGHASH_ALL_FORKID, UnsafeSighash } from './script-meter.ts'

/**
 * Payee-side verification of a handed-over payment. Pure apart from the optional
 * ChainTracker and seen-lookup handed in; no clock, no network of its own.
 *
 * Cheap checks run first, so a hostile payment costs us as little as possible before it
 * is refused: parsing (bounded), the request, finality, amounts, outputs and fees of the
 * payment and of every unmined ancestor, signature types, BEEF structure, merkle roots
 * against headers (a fake "mined" parent fails here, before any of its scripts run), and
 * only then the scripts, under a cost budget (script-meter.ts).
 */

/** Bounds on the work a hostile BEEF can make us do. */
export interface VerifyLimits {
  /** Binary BEEF size. */
  readonly maxBeefBytes: number
  readonly maxTransactions: number
  readonly maxBumps: number
  /** Leaves at level 0 of one merkle path (proven txids and their siblings). */
  readonly maxBumpLevel0Leaves: number
  /** Leaves over all levels of one merkle path. */
  readonly maxBumpLeaves: number
  /** Level-0 leaves over all merkle paths. */
  readonly maxLevel0LeavesTotal: number
  /** Longest chain of unmined ancestors above the payment. */
  readonly maxUnprovenDepth: number
  /** Inputs whose scripts we run, across the payment and its unmined ancestors. */
  readonly maxScriptInputs: number
  /** Script interpreter stack memory per input, bytes. */
  readonly scriptMemoryLimit: number
  /** Budget for all script evaluation, in cost units of roughly one microsecond. */
  readonly maxScriptCost: number
  /** Largest operand of a numeric opcode, bytes (Bitcoin SV's default policy). */
  readonly maxScriptNumBytes: number
}

export const DEFAULT_VERIFY_LIMITS: VerifyLimits = {
  maxBeefBytes: 512 * 1024,
  maxTransactions: 256,
  maxBumps: 32,
  // 2 leaves per proven tx (itself and its sibling): 8 parents mined in one block.
  maxBumpLevel0Leaves: 16,
  maxBumpLeaves: 512,
  maxLevel0LeavesTotal: 128,
  maxUnprovenDepth: 16,
  maxScriptInputs: 512,
  scriptMemoryLimit: 8 * 1024 * 1024,
  // ~300 P2PKH inputs, or 40 MB hashed. In Chromium on the bench machine a payment that
  // spends all of it checks in about 1.3 s (bench/verify.ts); the worker's time budget
  // leaves a slower phone about four times that.
  maxScriptCost: 2_000_000,
  maxScriptNumBytes: 10_000
}

/** The decision that was (or will be) sent to the payer in an `ack`. */
export interface Decision {
  readonly paymentId: string
  readonly accepted: boolean
  readonly txid?: string
  readonly reason?: ReasonCode
}

/**
 * What this wallet has already decided. Lookups may be async because they usually
 * read IndexedDB.
 */
export interface SeenPayments {
  byPaymentId: (paymentId: string) => Decision | undefined | Promise<Decision | undefined>
  byTxid: (txid: string) => Decision | undefined | Promise<Decision | undefined>
}

export interface VerifyPaymentInput {
  /** The stored request this payment answers; undefined if we have none under that id. */
  readonly request: RequestMessage | undefined
  readonly payment: PaymentMessage
  /** The network the payee's wallet is on now. */
  readonly network: Network
  /** Unix seconds. */
  readonly nowSec: number
  /** Minimum fee rate, satoshis per 1000 bytes. */
  readonly feeRateSatPerKb: number
  /**
   * Undefined when offline: proofs are then reported as unchecked. A tracker that throws
   * is a service that cannot answer while we are online: the payment is refused with
   * PROOFS_UNAVAILABLE (the app decides what is really offline, and retries).
   */
  readonly chainTracker?: ChainTracker
  readonly seen?: SeenPayments
  readonly limits?: Partial<VerifyLimits>
}

export type ProofStatus = 'verified' | 'unchecked'

export interface PaymentAccepted {
  readonly kind: 'accepted'
  readonly paymentId: string
  readonly txid: string
  /** Subject transaction, raw hex, for the ledger. */
  readonly rawTx: string
  /** Subject transaction in Extended Format (BRC-30) hex: what ARC validates without parents. */
  readonly efHex: string
  /** Sum of the requested outputs actually paid (can exceed the request: overpayment). */
  readonly receivedSatoshis: number
  readonly requestedSatoshis: number
  /** Output indexes in the tx that satisfied the request, in request order. */
  readonly outputIndexes: number[]
  readonly fee: number
  readonly requiredFee: number
  readonly sizeBytes: number
  readonly proofs: ProofStatus
  /** Unmined ancestors that came along; > 0 means the payment leans on unconfirmed coins. */
  readonly unprovenAncestors: number
}

export interface PaymentRejected {
  readonly kind: 'rejected'
  readonly paymentId: string
  readonly reason: ReasonCode
  /** Human text: what happened and what to do. */
  readonly message: string
  /** Technical detail for logs and the `ack.detail` field. */
  readonly detail: string
  readonly txid?: string
}

/** The same payment (or the same request) was decided before: answer with that decision. */
export interface PaymentDuplicate {
  readonly kind: 'duplicate'
  readonly paymentId: string
  readonly txid: string
  readonly prior: Decision
}

export type VerificationResult = PaymentAccepted | PaymentRejected | PaymentDuplicate

/** The decision to put in the `ack` for a verification result. */
export function decisionOf (r: VerificationResult): Decision {
  switch (r.kind) {
    case 'accepted': return { paymentId: r.paymentId, accepted: true, txid: r.txid }
    case 'rejected': return { paymentId: r.paymentId, accepted: false, reason: r.reason, ...(r.txid !== undefined ? { txid: r.txid } : {}) }
    case 'duplicate': return r.prior
  }
}

class Reject extends Error {
  constructor (readonly reason: ReasonCode, readonly detail: string) {
    super(detail)
  }
}

function rejected (paymentId: string, reason: ReasonCode, detail: string, txid?: string): PaymentRejected {
  return { kind: 'rejected', paymentId, reason, message: reasonMessage(reason), detail, ...(txid !== undefined ? { txid } : {}) }
}

/** Required fee for a size, rounded up like the SDK's SatoshisPerKilobyte. */
export function requiredFee (sizeBytes: number, feeRateSatPerKb: number): number {
  return feeFor(sizeBytes, feeRateSatPerKb)
}

interface ParsedBeef {
  readonly beef: Beef
  readonly subject: Transaction
  readonly txid: string
}

function parseBeef (hex: string, limits: VerifyLimits): ParsedBeef {
  if (hex.length / 2 > limits.maxBeefBytes) {
    throw new Reject(ReasonCode.TOO_LARGE, `BEEF is ${hex.length / 2} bytes, limit ${limits.maxBeefBytes}`)
  }
  let beef: Beef
  let reader: BoundedReader
  let bytes: Uint8Array
  try {
    if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error('not lowercase hex')
    bytes = Utils.toUint8Array(hex, 'hex')
  } catch (e) {
    throw new Reject(ReasonCode.MALFORMED, `BEEF: ${errorText(e)}`)
  }
  const scan = scanBumps(bytes, limits)
  if (!scan.ok) throw new Reject(scan.tooLarge ? ReasonCode.TOO_LARGE : ReasonCode.MALFORMED, `BEEF: ${scan.detail}`)
  try {
    reader = new BoundedReader(bytes)
    beef = Beef.fromReader(reader)
  } catch (e) {
    throw new Reject(ReasonCode.MALFORMED, `BEEF does not parse: ${errorText(e)}`)
  }
  if (reader.pos !== reader.size) throw new Reject(ReasonCode.MALFORMED, 'BEEF has trailing bytes')
  if (beef.txs.length === 0) throw new Reject(ReasonCode.MALFORMED, 'BEEF holds no transaction')
  if (beef.txs.length > limits.maxTransactions) {
    throw new Reject(ReasonCode.TOO_LARGE, `BEEF holds ${beef.txs.length} transactions, limit ${limits.maxTransactions}`)
  }
  if (beef.bumps.length > limits.maxBumps) {
    throw new Reject(ReasonCode.TOO_LARGE, `BEEF holds ${beef.bumps.length} merkle paths, limit ${limits.maxBumps}`)
  }
  // Atomic BEEF names its subject; plain BEEF puts the paying tx last (BRC-62/96).
  const last = beef.txs[beef.txs.length - 1]
  const subjectTxid = beef.atomicTxid ?? last?.txid
  const btx = subjectTxid === undefined ? undefined : beef.findTxid(subjectTxid)
  let subject: Transaction | undefined
  try {
    subject = btx?.tx
  } catch (e) {
    throw new Reject(ReasonCode.MALFORMED, `payment transaction does not parse: ${errorText(e)}`)
  }
  if (subject === undefined || subjectTxid === undefined) {
    throw new Reject(ReasonCode.MALFORMED, 'BEEF does not contain the payment transaction itself')
  }
  return { beef, subject, txid: subjectTxid }
}

function errorText (e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function checkAmounts (tx: Transaction, what: string): void {
  for (const [i, o] of tx.outputs.entries()) {
    const s = o.satoshis
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0 || s > 2_100_000_000_000_000) {
      throw new Reject(ReasonCode.MALFORMED, `${what} output ${i} has an impossible amount`)
    }
  }
}

/**
 * Each requested output must be matched by a distinct tx output with the same script
 * and at least the requested satoshis. Extra outputs are the payer's change.
 */
function matchOutputs (tx: Transaction, wanted: readonly Output[]): { indexes: number[], received: number } {
  const outs = tx.outputs.map((o, index) => ({ index, script: o.lockingScript.toHex(), satoshis: o.satoshis ?? 0 }))
  const used = new Set<number>()
  const indexes: number[] = new Array<number>(wanted.length).fill(-1)
  // Largest first so two requested outputs to one script cannot steal each other's match.
  const order = wanted.map((w, i) => ({ w, i })).sort((a, b) => b.w.satoshis - a.w.satoshis)
  let received = 0
  for (const { w, i } of order) {
    const candidates = outs.filter(o => o.script === w.script && !used.has(o.index)).sort((a, b) => b.satoshis - a.satoshis)
    const best = candidates[0]
    if (best === undefined) {
      throw new Reject(ReasonCode.WRONG_OUTPUT, `requested output ${i} (script ${w.script.slice(0, 16)}…) is not paid`)
    }
    if (best.satoshis < w.satoshis) {
      throw new Reject(ReasonCode.WRONG_AMOUNT, `requested output ${i} pays ${best.satoshis} of ${w.satoshis} satoshis`)
    }
    used.add(best.index)
    indexes[i] = best.index
    received += best.satoshis
  }
  return { indexes, received }
}

interface Ancestry {
  /** Unmined txs whose scripts must run, subject first. */
  readonly toCheck: Transaction[]
  readonly inputTotal: number
}

/**
 * Walks from the payment up through unmined ancestors until every branch ends in a tx
 * with a merkle path, linking each input to its source. Bounded by depth and by the
 * number of inputs so a hostile BEEF cannot make this quadratic or unbounded.
 */
function linkAncestry (beef: Beef, subject: Transaction, subjectTxid: string, limits: VerifyLimits): Ancestry {
  const toCheck: Transaction[] = []
  const visited = new Set<string>()
  const spent = new Set<string>()
  let inputsSeen = 0
  let subjectInputTotal = 0
  let frontier: Array<{ tx: Transaction, txid: string }> = [{ tx: subject, txid: subjectTxid }]
  for (let depth = 0; frontier.length > 0; depth++) {
    if (depth > limits.maxUnprovenDepth) {
      throw new Reject(ReasonCode.TOO_LARGE, `more than ${limits.maxUnprovenDepth} generations of unmined ancestors`)
    }
    const next: Array<{ tx: Transaction, txid: string }> = []
    for (const { tx, txid } of frontier) {
      if (visited.has(txid)) continue
      visited.add(txid)
      toCheck.push(tx)
      checkAmounts(tx, txid === subjectTxid ? 'payment' : `ancestor ${txid}`)
      if (tx.inputs.length === 0) throw new Reject(ReasonCode.MALFORMED, `transaction ${txid} has no inputs`)
      inputsSeen += tx.inputs.length
      if (inputsSeen > limits.maxScriptInputs) {
        throw new Reject(ReasonCode.TOO_LARGE, `more than ${limits.maxScriptInputs} inputs to check`)
      }
      for (const [i, input] of tx.inputs.entries()) {
        const srcTxid = input.sourceTXID ?? input.sourceTransaction?.id('hex')
        if (srcTxid === undefined) throw new Reject(ReasonCode.MALFORMED, `input ${i} of ${txid} names no source`)
        const outpoint = `${srcTxid}.${input.sourceOutputIndex}`
        // Two spends of one coin inside the handed-over history can never both be mined.
        if (spent.has(outpoint)) throw new Reject(ReasonCode.DOUBLE_SPEND, `coin ${outpoint} is spent twice in the BEEF`)
        spent.add(outpoint)
        const src = beef.findTxid(srcTxid)
        let srcTx: Transaction | undefined
        try {
          srcTx = src?.tx
        } catch (e) {
          throw new Reject(ReasonCode.MALFORMED, `source ${srcTxid} does not parse: ${errorText(e)}`)
        }
        if (srcTx === undefined) {
          throw new Reject(ReasonCode.MISSING_ANCESTRY, `input ${i} of ${txid}: source transaction ${srcTxid} is not in the BEEF`)
        }
        const srcOut = srcTx.outputs[input.sourceOutputIndex]
        if (srcOut === undefined) {
          throw new Reject(ReasonCode.MISSING_ANCESTRY, `input ${i} of ${txid}: source ${srcTxid} has no output ${input.sourceOutputIndex}`)
        }
        input.sourceTransaction = srcTx
        input.sourceTXID = srcTxid
        if (txid === subjectTxid) subjectInputTotal += srcOut.satoshis ?? 0
        if (beef.findBump(srcTxid) === undefined) next.push({ tx: srcTx, txid: srcTxid })
        else checkAmounts(srcTx, `ancestor ${srcTxid}`)
      }
    }
    frontier = next
  }
  return { toCheck, inputTotal: subjectInputTotal }
}

/** Runs every input's scripts of the unmined txs under one cost meter; subject first. */
function runScripts (txs: ReadonlyArray<{ tx: Transaction, txid: string }>, subjectTxid: string, limits: VerifyLimits): void {
  const meter = new ScriptMeter(limits)
  for (const { tx, txid } of txs) {
    const pre = preimageBytes(tx)
    for (const [i, input] of tx.inputs.entries()) {
      if (input.unlockingScript === undefined) {
        throw new Reject(ReasonCode.INVALID_SIGNATURE, `input ${i} of ${txid} is not signed`)
      }
      let valid = false
      try {
        // Only the payment's own signatures must cover everything: a weak signature on an
        // unmined ancestor lets others redirect that ancestor, which is the same risk as
        // the payer double-spending it, and is caught the same way (at broadcast).
        valid = runMetered({ tx, inputIndex: i, meter, requireSighashAll: txid === subjectTxid, preimageBytes: pre }, limits.scriptMemoryLimit)
      } catch (e) {
        if (e instanceof ScriptTooCostly) throw new Reject(ReasonCode.TOO_COSTLY, `input ${i} of ${txid}: ${e.message}`)
        if (e instanceof UnsafeSighash) throw new Reject(ReasonCode.UNSAFE_SIGHASH, `input ${i} of ${txid}: ${e.message}`)
        // Spend throws on most failures rather than returning false; both mean invalid.
        throw new Reject(ReasonCode.INVALID_SIGNATURE, `input ${i} of ${txid}: ${errorText(e).slice(0, 200)}`)
      }
      if (!valid) throw new Reject(ReasonCode.INVALID_SIGNATURE, `input ${i} of ${txid}: script evaluated to false`)
    }
  }
}

/**
 * Every P2PKH input of the payment must sign with SIGHASH_ALL|FORKID. Checked before any
 * script runs; other script kinds are checked inside the interpreter, at each CHECKSIG.
 */
function checkSighashTypes (tx: Transaction, txid: string): void {
  for (const [i, input] of tx.inputs.entries()) {
    const type = input.unlockingScript === undefined ? undefined : p2pkhSighash(input.unlockingScript)
    if (type !== undefined && type !== SIGHASH_ALL_FORKID) {
      throw new Reject(ReasonCode.UNSAFE_SIGHASH, `input ${i} of ${txid} signs with sighash type 0x${type.toString(16).padStart(2, '0')}, not ALL|FORKID (0x41)`)
    }
  }
}

function sumInputs (tx: Transaction): number {
  return tx.inputs.reduce((s, i) => s + (i.sourceTransaction?.outputs[i.sourceOutputIndex]?.satoshis ?? 0), 0)
}

function sumOutputs (tx: Transaction): number {
  return tx.outputs.reduce((s, o) => s + (o.satoshis ?? 0), 0)
}

/**
 * A tx with a lock time and a non-final sequence could be replaced before it is mined.
 * SDK-built payments have lockTime 0 and final sequences, so requiring that costs
 * honest payers nothing and spares us knowing the chain height offline.
 */
function checkFinal (tx: Transaction, txid: string): void {
  if (tx.lockTime === 0) return
  if (tx.inputs.every(i => (i.sequence ?? 0xffffffff) === 0xffffffff)) return
  throw new Reject(ReasonCode.NON_FINAL, `transaction ${txid} has lockTime ${tx.lockTime} with a non-final input`)
}

/** Lock times below this are block heights, above it Unix times (consensus rule). */
const LOCKTIME_THRESHOLD = 500_000_000
/** Median time past trails the clock by about an hour: leave two. */
const MTP_LAG_SEC = 2 * 3600

/**
 * An unmined ancestor must be minable now, or the miner refuses the whole package. Other
 * wallets set a lock time at the current height (anti fee sniping), so an ancestor's lock
 * time is judged by consensus: final once passed. The chain is at least as high as the
 * highest block the BEEF proves a parent in; time locks are judged by our clock, less
 * the lag of median time past.
 */
function checkAncestorFinal (tx: Transaction, txid: string, knownHeight: number, nowSec: number): void {
  if (tx.lockTime === 0 || tx.inputs.every(i => (i.sequence ?? 0xffffffff) === 0xffffffff)) return
  const passed = tx.lockTime < LOCKTIME_THRESHOLD ? tx.lockTime <= knownHeight : tx.lockTime <= nowSec - MTP_LAG_SEC
  if (!passed) {
    throw new Reject(ReasonCode.NON_FINAL, `unmined ancestor ${txid} is time-locked until ${tx.lockTime < LOCKTIME_THRESHOLD ? 'block' : 'time'} ${tx.lockTime}`)
  }
}

/** Fee and sum rules for the unmined ancestors: the miner takes the package only if each tx pays its way. */
function checkAncestors (ancestors: ReadonlyArray<{ tx: Transaction, txid: string }>, beef: Beef, nowSec: number, feeRateSatPerKb: number): void {
  const knownHeight = beef.bumps.reduce((h, b) => Math.max(h, b.blockHeight), 0)
  for (const { tx, txid } of ancestors) {
    const fee = sumInputs(tx) - sumOutputs(tx)
    if (fee < 0) throw new Reject(ReasonCode.INVALID_SIGNATURE, `ancestor ${txid} spends more than its inputs`)
    checkAncestorFinal(tx, txid, knownHeight, nowSec)
    const size = tx.toBinary().length
    const needed = requiredFee(size, feeRateSatPerKb)
    if (fee < needed) {
      throw new Reject(ReasonCode.INSUFFICIENT_FEE, `unmined ancestor ${txid} pays ${fee} sat for ${size} bytes, policy needs ${needed} (${feeRateSatPerKb} sat/kB)`)
    }
  }
}

/** Structure first (offline-safe), then the merkle roots against headers if we can. */
async function checkProofs (beef: Beef, tracker: ChainTracker | undefined): Promise<ProofStatus> {
  let structure: { valid: boolean, roots: Record<number, string> }
  try {
    structure = beef.verifyValid(false)
  } catch (e) {
    throw new Reject(ReasonCode.BAD_PROOF, `BEEF structure: ${errorText(e)}`)
  }
  if (!structure.valid) {
    throw new Reject(ReasonCode.BAD_PROOF, 'BEEF is not internally consistent (merkle paths, order or unconnected transactions)')
  }
  if (tracker === undefined) return 'unchecked'
  for (const [height, root] of Object.entries(structure.roots)) {
    let good: boolean
    try {
      good = await tracker.isValidRootForHeight(root, Number(height))
    } catch (e) {
      // Online but unanswered is not offline: without the check, a fake "mined" parent
      // would pass. The caller retries, or verifies again without a tracker if the
      // device really went offline.
      throw new Reject(ReasonCode.PROOFS_UNAVAILABLE, `header check for block ${height} failed: ${errorText(e).slice(0, 200)}`)
    }
    if (!good) throw new Reject(ReasonCode.BAD_PROOF, `merkle root ${root} is not the root of block ${height}`)
  }
  return 'verified'
}

export async function verifyPayment (input: VerifyPaymentInput): Promise<VerificationResult> {
  const { request, payment } = input
  const paymentId = payment.paymentId
  const limits: VerifyLimits = { ...DEFAULT_VERIFY_LIMITS, ...input.limits }
  let txid: string | undefined
  try {
    if (request === undefined || request.paymentId !== paymentId) {
      throw new Reject(ReasonCode.UNKNOWN_REQUEST, `no open request ${paymentId}`)
    }
    const { beef, subject, txid: subjectTxid } = parseBeef(payment.beef, limits)
    txid = subjectTxid

    // Replays are answered before any rule that may have changed since (expiry above
    // all), so a payer that resends gets exactly the ack it got the first time.
    const seen = input.seen
    if (seen !== undefined) {
      const prior = await seen.byPaymentId(paymentId)
      if (prior !== undefined && (prior.accepted || prior.txid === txid)) {
        return { kind: 'duplicate', paymentId, txid, prior }
      }
      const byTx = await seen.byTxid(txid)
      if (byTx !== undefined && byTx.paymentId === paymentId) {
        return { kind: 'duplicate', paymentId, txid, prior: byTx }
      }
      if (byTx !== undefined) {
        throw new Reject(ReasonCode.DUPLICATE, `transaction ${txid} already paid request ${byTx.paymentId}`)
      }
    }

    if (request.network !== input.network) {
      throw new Reject(ReasonCode.WRONG_NETWORK, `request is for ${request.network}, wallet is on ${input.network}`)
    }
    if (input.nowSec > request.expirationTimestamp) {
      throw new Reject(ReasonCode.EXPIRED, `request expired at ${request.expirationTimestamp}, now ${input.nowSec}`)
    }

    // 1. Cheap and local: finality, the ancestry's links and amounts, outputs, fees, signature types.
    checkFinal(subject, txid)
    const ancestry = linkAncestry(beef, subject, txid, limits)
    const { indexes, received } = matchOutputs(subject, request.outputs)
    const outputTotal = sumOutputs(subject)
    const fee = ancestry.inputTotal - outputTotal
    const sizeBytes = subject.toBinary().length
    // Actual size, not the SDK's estimate: the estimate reserves 73 bytes per signature
    // where real DER signatures take 71–73, so an SDK-built tx always clears this bar.
    const needed = requiredFee(sizeBytes, input.feeRateSatPerKb)
    if (fee < needed) {
      throw new Reject(ReasonCode.INSUFFICIENT_FEE, fee < 0
        ? `outputs exceed inputs by ${-fee} satoshis`
        : `fee ${fee} sat for ${sizeBytes} bytes, policy needs ${needed} (${input.feeRateSatPerKb} sat/kB)`)
    }
    const unmined = ancestry.toCheck.map(tx => ({ tx, txid: tx === subject ? subjectTxid : tx.id('hex') }))
    checkAncestors(unmined.slice(1), beef, input.nowSec, input.feeRateSatPerKb)
    checkSighashTypes(subject, txid)

    // 2. Proofs: structure, then roots against headers. A fake "mined" parent stops here.
    const proofs = await checkProofs(beef, input.chainTracker)

    // 3. Scripts last, under a cost budget.
    runScripts(unmined, subjectTxid, limits)

    return {
      kind: 'accepted',
      paymentId,
      txid,
      rawTx: subject.toHex(),
      efHex: subject.toHexEF(),
      receivedSatoshis: received,
      requestedSatoshis: request.outputs.reduce((s, o) => s + o.satoshis, 0),
      outputIndexes: indexes,
      fee,
      requiredFee: needed,
      sizeBytes,
      proofs,
      unprovenAncestors: ancestry.toCheck.length - 1
    }
  } catch (e) {
    if (e instanceof Reject) return rejected(paymentId, e.reason, e.detail, txid)
    // Anything else is the SDK tripping over input we did not foresee: still the
    // peer's data, so it is a rejection, never a crash of the session.
    return rejected(paymentId, ReasonCode.MALFORMED, `unexpected: ${errorText(e).slice(0, 200)}`, txid)
  }
}

/**
 * Re-checks the merkle proofs of a payment accepted offline, once a ChainTracker is
 * reachable. Returns 'unchecked' while still offline.
 */
export async function recheckProofs (beefHex: string, chainTracker: ChainTracker | undefined): Promise<{ ok: true, proofs: ProofStatus } | { ok: false, reason: ReasonCode, detail: string }> {
  try {
    const { beef } = parseBeef(beefHex, DEFAULT_VERIFY_LIMITS)
    return { ok: true, proofs: await checkProofs(beef, chainTracker) }
  } catch (e) {
    // Still cannot ask: try again later.
    if (e instanceof Reject && e.reason === ReasonCode.PROOFS_UNAVAILABLE) return { ok: true, proofs: 'unchecked' }
    if (e instanceof Reject) return { ok: false, reason: e.reason, detail: e.detail }
    return { ok: false, reason: ReasonCode.MALFORMED, detail: errorText(e) }
  }
}

/** Checks a `receipt`: the merkle path proves this txid, against headers when online. */
export async function verifyReceipt (receipt: ReceiptMessage, expectedTxid: string, chainTracker: ChainTracker | undefined): Promise<{ ok: true, proofs: ProofStatus } | { ok: false, detail: string }> {
  if (receipt.txid !== expectedTxid) return { ok: false, detail: `receipt is for ${receipt.txid}, not ${expectedTxid}` }
  try {
    const mp = MerklePath.fromHex(receipt.merklePath)
    if (mp.blockHeight !== receipt.blockHeight) return { ok: false, detail: 'block height does not match the merkle path' }
    const root = mp.computeRoot(expectedTxid)
    if (chainTracker === undefined) return { ok: true, proofs: 'unchecked' }
    const good = await chainTracker.isValidRootForHeight(root, mp.blockHeight)
    return good ? { ok: true, proofs: 'verified' } : { ok: false, detail: `root ${root} is not block ${mp.blockHeight}'s` }
  } catch (e) {
    return { ok: false, detail: errorText(e) }
  }
}
