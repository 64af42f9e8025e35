// ARC's answers, judged in one place. Every broadcast and every status poll — the wallet's
// outbox, the status refresh and both payment machines — goes through `judgeArc`, so a
// given answer always means the same thing for the coins and for the person.
//
// Source: ARC's published API (bitcoin-sv/arc, pkg/api/arc.yaml and doc/errors.md).
// - POST /v1/tx answers 200 for most outcomes; `txStatus` decides.
// - Error bodies are RFC 7807 problems; `detail` is generic, the real reason is in
//   `extraInfo`, and `txid` says which transaction it is about (a BEEF carries parents).
//
// The rule that keeps money safe: coins are released only on a *final* failure of *this*
// transaction. Anything that may still end in MINED keeps them reserved and is polled.
import { ReasonCode } from './protocol/reasons.ts'
import { withDetail } from './plain-detail.ts'

/** What ARC told us (or that it told us nothing), before any judgement. */
export interface ArcAnswer {
  /** HTTP status; undefined when no answer arrived (offline, timeout, unreachable). */
  readonly httpStatus?: number
  /** The transaction the answer is about (TransactionResponse or RFC 7807 `txid`). */
  readonly txid?: string
  readonly txStatus?: string
  readonly extraInfo?: string
  /** RFC 7807 `title` / `detail`: generic texts for the HTTP status. */
  readonly title?: string
  readonly detail?: string
  /** RFC 7807 `status` inside the body (ARC's 46x codes also arrive inside a 422). */
  readonly problemStatus?: number
  readonly blockHeight?: number
  readonly merklePath?: string
  readonly competingTxs?: readonly string[]
  /** A 2xx whose body we could not read. */
  readonly unreadable?: boolean
}

/** What we keep on the ledger entry, to show in the payment details. */
export interface ArcNotes {
  readonly txStatus?: string
  readonly extraInfo?: string
  readonly competingTxs?: readonly string[]
}

export type ArcVerdict = ArcNotes & (
  /** The network has it (SEEN_ON_NETWORK) or a block does (MINED). */
  | { readonly kind: 'accepted', readonly status: 'seen' | 'mined', readonly blockHeight?: number, readonly merklePath?: string, readonly message: string }
  /** ARC holds it and it may still be mined: keep the coins reserved and keep polling. */
  | { readonly kind: 'in-progress', readonly warning: boolean, readonly message: string }
  /** This transaction will never be mined: the coins may come back (or are gone, on a double spend). */
  | { readonly kind: 'failed', readonly reason: ReasonCode, readonly doubleSpend: boolean, readonly message: string }
  /** No verdict (offline, rate limit, server trouble, an answer about another tx): try again later. */
  | { readonly kind: 'transient', readonly message: string }
  /** Our settings are wrong (API key, URL): keep the tx, tell the person to check Settings, retry. */
  | { readonly kind: 'config', readonly message: string }
  /** GET /v1/tx/{txid} answered 404: ARC never heard of it. Only meaningful for status polls. */
  | { readonly kind: 'unknown', readonly message: string }
)

export type ArcOp = 'submit' | 'status'

type Row =
  | { kind: 'accepted', status: 'seen' | 'mined' }
  | { kind: 'in-progress', warning?: string }
  | { kind: 'failed' }
  | { kind: 'transient' }

const KEEP = 'The coins stay reserved until the network decides.'

/**
 * txStatus → meaning, for a 200 answer about the transaction we asked about.
 *
 * SEEN_IN_ORPHAN_MEMPOOL is a failure to be taken, but NOT final: the node lacks a parent,
 * which may be missing for now (still propagating, or a parent of ours it has not seen) or
 * spent for good. ARC keeps re-trying orphans and reports REJECTED when it gives up, and an
 * orphan can still be mined when its parent arrives. Releasing its coins would let the
 * wallet spend them again while the first payment can still confirm — a double payment.
 * So it is shown as a problem, the coins stay reserved, the entry is polled to its end,
 * and "Cancel for sure" is there if the person wants the coins back.
 * DOUBLE_SPEND_ATTEMPTED and MINED_IN_STALE_BLOCK likewise end as MINED or REJECTED.
 */
export const TX_STATUS_TABLE: Readonly<Record<string, Row>> = {
  MINED: { kind: 'accepted', status: 'mined' },
  SEEN_ON_NETWORK: { kind: 'accepted', status: 'seen' },
  QUEUED: { kind: 'in-progress' },
  RECEIVED: { kind: 'in-progress' },
  STORED: { kind: 'in-progress' },
  ANNOUNCED_TO_NETWORK: { kind: 'in-progress' },
  REQUESTED_BY_NETWORK: { kind: 'in-progress' },
  SENT_TO_NETWORK: { kind: 'in-progress' },
  ACCEPTED_BY_NETWORK: { kind: 'in-progress' },
  SEEN_IN_ORPHAN_MEMPOOL: { kind: 'in-progress', warning: `The miner is missing an earlier transaction this one spends from (it may still arrive, or it was spent elsewhere). ${KEEP}` },
  DOUBLE_SPEND_ATTEMPTED: { kind: 'in-progress', warning: `Another transaction tries to spend the same coins. Only one of them can be mined. ${KEEP}` },
  MINED_IN_STALE_BLOCK: { kind: 'in-progress', warning: `It was mined in a block the network then dropped; it should be mined again. ${KEEP}` },
  REJECTED: { kind: 'failed' },
  // ARC's zero value: it answered but does not say where the transaction is.
  UNKNOWN: { kind: 'transient' }
}

/** ARC's own codes (doc/errors.md), as HTTP status or inside a REJECTED's extraInfo ("arc error 465: …"). */
export const ARC_ERROR_TABLE: Readonly<Record<number, { reason: ReasonCode, plain: string }>> = {
  460: { reason: ReasonCode.MALFORMED, plain: 'the miner could not read the transaction with its history (not extended format)' },
  461: { reason: ReasonCode.INVALID_SIGNATURE, plain: 'a signature or script does not check out' },
  462: { reason: ReasonCode.BROADCAST_REJECTED, plain: 'its inputs are invalid (missing, already spent, or more than they hold)' },
  463: { reason: ReasonCode.MALFORMED, plain: 'the transaction is malformed' },
  464: { reason: ReasonCode.BROADCAST_REJECTED, plain: 'its outputs are invalid' },
  465: { reason: ReasonCode.INSUFFICIENT_FEE, plain: 'the fee is too low for this miner' },
  466: { reason: ReasonCode.DOUBLE_SPEND, plain: 'its coins were already spent by another transaction' },
  467: { reason: ReasonCode.MISSING_ANCESTRY, plain: 'the miner needs more of the transaction\'s history' },
  468: { reason: ReasonCode.BAD_PROOF, plain: 'a proof in the transaction\'s history is invalid' },
  469: { reason: ReasonCode.BAD_PROOF, plain: 'a proof in the history does not match the miner\'s chain' },
  471: { reason: ReasonCode.BROADCAST_REJECTED, plain: 'it spends frozen coins (policy)' },
  472: { reason: ReasonCode.BROADCAST_REJECTED, plain: 'it spends frozen coins (consensus)' },
  473: { reason: ReasonCode.INSUFFICIENT_FEE, plain: 'the fee of it and its unconfirmed parents together is too low' },
  474: { reason: ReasonCode.TOO_LARGE, plain: 'it is too large' },
  475: { reason: ReasonCode.MISSING_ANCESTRY, plain: 'a mined parent\'s proof is missing from its history' }
}

const short = (txid: string): string => `${txid.slice(0, 8)}…`

/** extraInfo in a form a person can read: trimmed, bounded, ARC's doubled prefixes cut. */
export function plainExtraInfo (extraInfo: string | undefined): string | undefined {
  if (extraInfo === undefined) return undefined
  const s = extraInfo.replace(/(arc error \d{3}:\s*)+/gi, '').replace(/\s+/g, ' ').trim()
  return s === '' ? undefined : s.slice(0, 300)
}

/** Which ARC code a REJECTED's extraInfo names, and whether it says "double spend". */
function readRejection (extraInfo: string | undefined, competing: readonly string[] | undefined): { reason: ReasonCode, doubleSpend: boolean, plain: string } {
  const text = extraInfo ?? ''
  const code = /arc error (\d{3})/i.exec(text)?.[1]
  const row = code !== undefined ? ARC_ERROR_TABLE[Number(code)] : undefined
  // The node's own words for a conflict ("txn-mempool-conflict", "double spend …").
  const saysDoubleSpend = row?.reason === ReasonCode.DOUBLE_SPEND || /double[- _]?spen|mempool-conflict|txn-double-spend/i.test(text) ||
    (competing !== undefined && competing.length > 0)
  if (saysDoubleSpend) return { reason: ReasonCode.DOUBLE_SPEND, doubleSpend: true, plain: ARC_ERROR_TABLE[466]!.plain }
  if (row !== undefined) return { reason: row.reason, doubleSpend: false, plain: row.plain }
  if (/script|signature|sig/i.test(text)) return { reason: ReasonCode.INVALID_SIGNATURE, doubleSpend: false, plain: ARC_ERROR_TABLE[461]!.plain }
  if (/fee/i.test(text)) return { reason: ReasonCode.INSUFFICIENT_FEE, doubleSpend: false, plain: ARC_ERROR_TABLE[465]!.plain }
  return { reason: ReasonCode.BROADCAST_REJECTED, doubleSpend: false, plain: 'the miner refused it' }
}

function withWords (sentence: string, extraInfo: string | undefined): string {
  const words = plainExtraInfo(extraInfo)
  return words !== undefined ? `${sentence} (The miner said: "${words}")` : sentence
}

/**
 * The one table: (HTTP status, txStatus, extraInfo, txid) → what it means.
 * `expectedTxid` is the transaction we submitted or asked about; an answer about any other
 * (a parent in our BEEF) is no verdict on ours.
 */
export function judgeArc (a: ArcAnswer, expectedTxid: string, op: ArcOp): ArcVerdict {
  const facts: ArcNotes = {
    ...(a.txStatus !== undefined ? { txStatus: a.txStatus } : {}),
    ...(plainExtraInfo(a.extraInfo) !== undefined ? { extraInfo: plainExtraInfo(a.extraInfo) } : {}),
    ...(a.competingTxs !== undefined && a.competingTxs.length > 0 ? { competingTxs: [...a.competingTxs] } : {})
  }
  const status = a.httpStatus
  if (status === undefined) return { ...facts, kind: 'transient', message: 'No answer from the miner (offline?). Handover will try again.' }
  if (a.txid !== undefined && a.txid.toLowerCase() !== expectedTxid.toLowerCase()) {
    return { ...facts, kind: 'transient', message: withWords(`The miner answered about another transaction (${short(a.txid)}), not this one. Handover will ask again.`, a.extraInfo) }
  }
  if (status === 401 || status === 403) {
    return { ...facts, kind: 'config', message: 'The miner refused Handover\'s API key. Check the ARC key in Settings; the payment is kept and will be sent again.' }
  }
  if (status === 404) {
    if (op === 'status') return { ...facts, kind: 'unknown', message: 'The miner does not know this transaction.' }
    return { ...facts, kind: 'config', message: 'There is no miner service at the configured address. Check the miner (ARC) URL in Settings; the payment is kept and will be sent again.' }
  }
  if (status === 408 || status === 409 || status === 429 || status >= 500) {
    // 409 is ARC's "generic error" (also its submit timeout): not a verdict on the tx.
    const what = status === 429 ? 'The miner is busy (rate limit).' : status === 409 ? 'The miner could not process it this time.' : 'The miner had trouble answering.'
    return { ...facts, kind: 'transient', message: withWords(`${what} Handover will try again.`, a.extraInfo) }
  }
  if (status >= 200 && status < 300) {
    if (a.unreadable === true || a.txStatus === undefined) return { ...facts, kind: 'transient', message: 'The miner sent an answer Handover cannot read. Handover will ask again.' }
    const row = TX_STATUS_TABLE[a.txStatus.toUpperCase()] ?? { kind: 'transient' as const }
    switch (row.kind) {
      case 'accepted':
        return {
          ...facts,
          kind: 'accepted',
          status: row.status,
          ...(row.status === 'mined' && a.blockHeight !== undefined && a.blockHeight > 0 ? { blockHeight: a.blockHeight } : {}),
          ...(row.status === 'mined' && a.merklePath !== undefined && a.merklePath !== '' ? { merklePath: a.merklePath } : {}),
          message: row.status === 'mined' ? 'Mined into a block.' : 'The network has it.'
        }
      case 'in-progress':
        return { ...facts, kind: 'in-progress', warning: row.warning !== undefined, message: withWords(row.warning ?? 'The miner has it and is passing it on.', a.extraInfo) }
      case 'failed': {
        const r = readRejection(a.extraInfo, a.competingTxs)
        return { ...facts, kind: 'failed', reason: r.reason, doubleSpend: r.doubleSpend, message: withWords(`The miner refused it: ${r.plain}.`, a.extraInfo) }
      }
      case 'transient':
        return { ...facts, kind: 'transient', message: withDetail('The miner has no news about it yet. Handover will ask again.', a.txStatus) }
    }
  }
  // An RFC 7807 problem. ARC sends its 46x codes as the HTTP status, or inside a 422.
  const code = ARC_ERROR_TABLE[status] !== undefined ? status : (a.problemStatus !== undefined && ARC_ERROR_TABLE[a.problemStatus] !== undefined ? a.problemStatus : undefined)
  if (code !== undefined) {
    const row = ARC_ERROR_TABLE[code]!
    return { ...facts, kind: 'failed', reason: row.reason, doubleSpend: row.reason === ReasonCode.DOUBLE_SPEND, message: withWords(`The miner refused it: ${row.plain}.`, a.extraInfo ?? a.detail) }
  }
  // 400 (ARC could not read the request), a 422 without a code, or anything ARC does not
  // document: a verdict on the request, not on the transaction. Keep it and try again.
  return { ...facts, kind: 'transient', message: withDetail('The miner gave an answer Handover does not expect. Handover will try again.', [`HTTP ${status}`, plainExtraInfo(a.extraInfo ?? a.detail)].filter(x => x !== undefined).join(': ')) }
}

/** Final: nothing more will change without a new transaction. */
export function isFinalVerdict (v: ArcVerdict): boolean {
  return v.kind === 'failed' || (v.kind === 'accepted' && v.status === 'mined')
}
