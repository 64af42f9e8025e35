// After a phone was killed mid-payment, its stored sessions may stop at a phase in between
// (signed, handedOver, acked, selfBroadcast, requestSent…) while the ledger, moved on by the
// outbox, status polls and sync, already knows the end. This brings each stored session up
// to what the ledger says, so nothing shows a payment as still under way once it is
// settled, and gives back to the ledger what only the session knew (memo, who paid).
// `settleSession` is the rule; `reconcileSessions` applies it in one IndexedDB transaction.
import { CAMERA_ACK_TIMEOUT_SEC } from '../core/camera/ack-deadline.ts'
import type { PayeeState } from '../core/protocol/payee-machine.ts'
import type { PayerState } from '../core/protocol/payer-machine.ts'
import { ReasonCode } from '../core/protocol/reasons.ts'
import type { ChainDB } from '../store/db.ts'
import type { CoinRecord, LedgerRecord, SessionRecord } from '../store/records.ts'

/** What the ledger knows about the transaction a session is about. */
export interface LedgerFacts {
  /** The entry of the session's own txid, or (payee, no txid yet) of a tx that paid the request's script. */
  entry?: LedgerRecord
  /** Satoshis that tx paid to the request's script (payee found by sync). */
  paidSatoshis?: number
}

const PAYER_OPEN: ReadonlySet<string> = new Set(['signed', 'handedOver', 'acked', 'selfBroadcast', 'broadcast'])
const PAYEE_HANDLING: ReadonlySet<string> = new Set(['verified', 'acked', 'queued', 'broadcast', 'seen'])
/** A payee session whose accepted ack a payer may still need (see answerStillWanted). */
const PAYEE_ANSWERED: ReadonlySet<string> = new Set([...PAYEE_HANDLING, 'mined'])
/** A payee session that never took a payment itself, but whose request may have been paid anyway. */
const PAYEE_UNPAID: ReadonlySet<string> = new Set(['requestSent', 'paymentReceived', 'expired'])

/**
 * The session's state once it agrees with the ledger, or undefined when it already does.
 * Never moves a session backwards, and never ends one the ledger cannot speak for
 * (a signed payment with no broadcast yet stays resumable, its outbox sends it).
 */
export function settleSession (rec: SessionRecord, facts: LedgerFacts, nowSec: number): SessionRecord['state'] | undefined {
  const e = facts.entry
  if (rec.role === 'payer') {
    const st = rec.state as PayerState
    if ((st.phase === 'requested' || st.phase === 'confirmed') && nowSec > st.request.expirationTimestamp) {
      // Nothing durable was signed (a signature is real only once stored with its coins).
      return { ...st, phase: 'cancelled', error: { code: ReasonCode.EXPIRED } } satisfies PayerState
    }
    if (e === undefined || st.txid === undefined || e.txid !== st.txid) return undefined
    if (e.status === 'mined' && st.phase !== 'mined') return { ...st, phase: 'mined', ...(e.height !== undefined ? { blockHeight: e.height } : {}) } satisfies PayerState
    if (!PAYER_OPEN.has(st.phase)) return undefined
    if (e.status === 'seen' && st.phase !== 'broadcast') return { ...st, phase: 'broadcast' } satisfies PayerState
    if (e.status === 'failed' && st.phase !== 'acked') {
      // Acked: the payee holds it and may still get it mined; the ledger keeps watching.
      return { ...st, phase: 'failed', error: { code: ReasonCode.BROADCAST_REJECTED, ...(e.error !== undefined ? { detail: e.error.slice(0, 200) } : {}) } } satisfies PayerState
    }
    return undefined
  }
  const st = rec.state as PayeeState
  if (st.txid !== undefined && e !== undefined && e.txid === st.txid) {
    if (e.status === 'mined' && st.phase !== 'mined' && st.phase !== 'rejected') return { ...st, phase: 'mined', ...(e.height !== undefined ? { blockHeight: e.height } : {}) } satisfies PayeeState
    if (!PAYEE_HANDLING.has(st.phase)) return undefined
    if (e.status === 'seen' && st.phase !== 'seen') return { ...st, phase: 'seen' } satisfies PayeeState
    if (e.status === 'failed') return { ...st, phase: 'failed', error: { code: ReasonCode.BROADCAST_REJECTED, ...(e.error !== undefined ? { detail: e.error.slice(0, 200) } : {}) } } satisfies PayeeState
    return undefined
  }
  if (st.txid === undefined && PAYEE_UNPAID.has(st.phase)) {
    // The payer broadcast it itself (we were gone) and sync found it on the request's output.
    if (e !== undefined && e.direction === 'in' && (e.status === 'seen' || e.status === 'mined')) {
      return {
        ...st,
        phase: e.status,
        txid: e.txid,
        ...(facts.paidSatoshis !== undefined ? { receivedSatoshis: facts.paidSatoshis } : {}),
        ...(e.height !== undefined ? { blockHeight: e.height } : {})
      } satisfies PayeeState
    }
    if (st.phase === 'requestSent' && nowSec > st.request.expirationTimestamp) return { ...st, phase: 'expired', error: { code: ReasonCode.EXPIRED } } satisfies PayeeState
  }
  return undefined
}

/** The receive scripts a payee session asked to be paid to. */
export function requestScripts (rec: SessionRecord): string[] {
  if (rec.role !== 'payee') return []
  const st = rec.state as { request?: { outputs?: Array<{ script?: unknown }> } }
  return (st.request?.outputs ?? []).map(o => o.script).filter((s): s is string => typeof s === 'string')
}

/**
 * The payee session a transaction to `script` most likely answers: the one that names the
 * txid, else the latest that was not cancelled (a cancelled code's address is handed out
 * again), else the latest.
 */
export function sessionForScript (sessions: SessionRecord[], script: string, txid: string): SessionRecord | undefined {
  const mine = sessions.filter(r => requestScripts(r).includes(script))
  const phase = (r: SessionRecord): string | undefined => (r.state as { phase?: string }).phase
  const rank = (r: SessionRecord): number => (r.state as { txid?: string }).txid === txid ? 0 : phase(r) !== 'cancelled' ? 1 : 2
  return mine.sort((a, b) => rank(a) - rank(b) || b.updatedAt - a.updatedAt)[0]
}

/** Memo and counterparty a ledger entry lacks that a session knows; undefined when nothing to add. */
export function ledgerExtras (entry: LedgerRecord, rec: SessionRecord | undefined): Pick<LedgerRecord, 'memo' | 'counterparty'> | undefined {
  if (rec === undefined) return undefined
  const memo = (rec.state as { request?: { memo?: string } }).request?.memo
  const patch: Pick<LedgerRecord, 'memo' | 'counterparty'> = {}
  if (entry.memo === undefined && memo !== undefined && memo !== '') patch.memo = memo
  if (entry.counterparty === undefined && rec.peerKey !== undefined) patch.counterparty = rec.peerKey
  return Object.keys(patch).length > 0 ? patch : undefined
}

/**
 * Brings every stored session up to the ledger (see `settleSession`) and fills in memo and
 * counterparty the ledger lacks. One transaction; returns how many sessions moved.
 */
export async function reconcileSessions (db: ChainDB, nowMs = Date.now()): Promise<number> {
  const tx = db.transaction(['sessions', 'ledger', 'coins'], 'readwrite')
  const sessions = tx.objectStore('sessions')
  const ledger = tx.objectStore('ledger')
  const all = await sessions.getAll()
  let coinsByScript: Map<string, CoinRecord[]> | undefined
  let moved = 0
  for (const rec of all) {
    const st = rec.state as { txid?: string }
    const facts: LedgerFacts = {}
    if (st.txid !== undefined) {
      facts.entry = await ledger.get(st.txid)
    } else if (rec.role === 'payee') {
      if (coinsByScript === undefined) {
        coinsByScript = new Map()
        for (const c of await tx.objectStore('coins').getAll()) {
          const list = coinsByScript.get(c.lockingScript) ?? []
          list.push(c)
          coinsByScript.set(c.lockingScript, list)
        }
      }
      for (const script of requestScripts(rec)) {
        for (const c of coinsByScript.get(script) ?? []) {
          // The coin must answer this session, not an older request on a reused address.
          if (sessionForScript(all, script, c.txid) !== rec) continue
          const e = await ledger.get(c.txid)
          if (e?.direction !== 'in') continue
          facts.entry = e
          facts.paidSatoshis = (facts.paidSatoshis ?? 0) + c.satoshis
        }
        if (facts.entry !== undefined) break
      }
    }
    const next = settleSession(rec, facts, Math.floor(nowMs / 1000))
    if (next !== undefined) {
      await sessions.put({ ...rec, state: next, updatedAt: nowMs })
      moved++
    }
    // Only the side the entry belongs to speaks for it (a payer's memo is not an incoming one's).
    if (facts.entry !== undefined && (facts.entry.direction === 'in') === (rec.role === 'payee')) {
      const extras = ledgerExtras(facts.entry, rec)
      if (extras !== undefined) await ledger.put({ ...facts.entry, ...extras })
    }
  }
  await tx.done
  return moved
}

/**
 * The payee session the Receive screen should come back to: the latest request still
 * waiting for its payment, or one paid by codes whose payer may still be waiting to film
 * our answer. Any other already paid needs no screen: the outbox broadcasts it (stored
 * with the payment) and `reconcileSessions` ends its session with the ledger.
 */
export async function openPayeeSession (db: ChainDB, nowMs = Date.now()): Promise<SessionRecord | undefined> {
  const nowSec = Math.floor(nowMs / 1000)
  const open = (await db.getAll('sessions')).filter(r => r.role === 'payee' && (waitingForPayment(r, nowSec) || answerStillWanted(r, nowSec)))
  return open.sort((a, b) => b.updatedAt - a.updatedAt)[0]
}

function waitingForPayment (r: SessionRecord, nowSec: number): boolean {
  const st = r.state as PayeeState
  return st.phase === 'requestSent' && nowSec <= st.request.expirationTimestamp
}

/**
 * Paid by codes, our ack stored (accepted) and not yet closed by the person: the payer
 * learns it only by filming it. It signed before the request expired and waits at most
 * CAMERA_ACK_TIMEOUT_SEC after that, then its outbox broadcasts by itself; past that
 * nobody needs the answer. Shown whatever the broadcast's fate (the ack says it was taken).
 */
function answerStillWanted (r: SessionRecord, nowSec: number): boolean {
  const st = r.state as PayeeState
  return r.byCamera === true && r.peerKey !== undefined && st.ack?.accepted === true &&
    PAYEE_ANSWERED.has(st.phase) && nowSec <= st.request.expirationTimestamp + CAMERA_ACK_TIMEOUT_SEC
}

/**
 * On reopening: a payment its payer had already decided to broadcast itself (no answer by
 * the ack deadline, or its owner pressed "Send to the network now") is due at once. Killed
 * before its first attempt came back, its outbox entry still waits for the ack deadline set
 * at signing, which is no reason to wait any more. A refusal cannot change this: one that
 * arrives during selfBroadcast changes nothing (the miner decides), and the outbox never
 * sends a payment the ledger says was refused. Returns how many entries became due.
 */
export async function resumeSelfBroadcasts (db: ChainDB, nowMs = Date.now()): Promise<number> {
  const tx = db.transaction(['sessions', 'outbox'], 'readwrite')
  const outbox = tx.objectStore('outbox')
  let due = 0
  for (const rec of await tx.objectStore('sessions').getAll()) {
    const st = rec.state as Partial<PayerState>
    if (rec.role !== 'payer' || st.phase !== 'selfBroadcast' || st.txid === undefined) continue
    const item = await outbox.get(st.txid)
    if (item === undefined || item.nextAttemptAt <= nowMs) continue
    await outbox.put({ ...item, nextAttemptAt: nowMs })
    due++
  }
  await tx.done
  return due
}
