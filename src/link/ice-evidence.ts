// When to give up on a direct WebRTC connection and switch to the encrypted relay,
// decided from what ICE has seen rather than a fixed timer. Pure: fed snapshots of
// RTCPeerConnection.getStats() (see snapshotFromStats), it returns a verdict.
//
// The evidence, in order:
//   - ICE reported 'failed'                                   → relay now
//   - this side gathered no candidate at all                  → relay now (nothing to try)
//   - the other side's candidate list is complete (a two-scan
//     code: nothing more will trickle in) and holds none      → give up now (that phone
//                                                               is offline: nothing to try)
//   - both sides have candidates and ~1.5 s later no candidate
//     pair has had a single STUN response                     → relay (the addresses don't
//                                                               reach each other: two NATs,
//                                                               symmetric NAT, UDP blocked)
//   - checks are getting responses: keep waiting, up to 6 s   → then relay
// Two phones on one Wi-Fi get responses within tens of milliseconds, so 1.5 s without
// any is a clear sign, not an impatient guess.

export interface PairSample {
  /** RTCStatsIceCandidatePairState: frozen, waiting, in-progress, succeeded, failed */
  state: string
  responsesReceived: number
}

export interface IceSnapshot {
  /** ms since the direct attempt started */
  at: number
  iceState: RTCIceConnectionState
  /** this side finished gathering (or gave up waiting) */
  gatheringDone: boolean
  localCandidates: number
  remoteCandidates: number
  /**
   * The other phone's candidates are all known: its description came whole (a two-scan
   * code) and is set. Unknown or trickling (one scan): false.
   */
  remoteFinal?: boolean
  pairs: PairSample[]
}

export type FallbackReason = 'ice-failed' | 'no-candidates' | 'peer-no-candidates' | 'no-response' | 'timeout'

export type Verdict = { action: 'wait' } | { action: 'relay', reason: FallbackReason }

export interface EvidenceRule {
  /** How long after both sides have candidates a silence counts as "unreachable". Default 1500 ms. */
  noResponseMs: number
  /** The most time a direct attempt gets while its checks are succeeding. Default 6000 ms. */
  maxWaitMs: number
}

export const DEFAULT_RULE: EvidenceRule = { noResponseMs: 1500, maxWaitMs: 6000 }

/** Verdict over every snapshot so far (oldest first). */
export function judgeDirect (history: readonly IceSnapshot[], rule: EvidenceRule = DEFAULT_RULE): Verdict {
  const now = history[history.length - 1]
  if (now === undefined) return { action: 'wait' }
  if (now.iceState === 'connected' || now.iceState === 'completed') return { action: 'wait' }
  if (now.iceState === 'failed') return { action: 'relay', reason: 'ice-failed' }
  if (now.gatheringDone && now.localCandidates === 0) return { action: 'relay', reason: 'no-candidates' }
  // An offline payer's answer code carries no address: waiting for a response from it
  // would only run out the clock (15 s) while the payee's screen said nothing.
  if (now.remoteFinal === true && now.remoteCandidates === 0) return { action: 'relay', reason: 'peer-no-candidates' }
  const answered = history.some(s => s.pairs.some(p => p.responsesReceived > 0 || p.state === 'succeeded'))
  const both = history.find(s => s.localCandidates > 0 && s.remoteCandidates > 0)
  if (!answered && both !== undefined && now.at - both.at >= rule.noResponseMs) return { action: 'relay', reason: 'no-response' }
  if (now.at >= rule.maxWaitMs) return { action: 'relay', reason: 'timeout' }
  return { action: 'wait' }
}

/** The path a connected link took: 'turn' when either end of the selected pair is a relay candidate. */
export type DirectPath = 'direct' | 'turn'
export type LinkPath = DirectPath | 'relay'

type Stat = Record<string, unknown> & { type?: unknown, id?: unknown }

/**
 * A snapshot from getStats() entries (`[...report.values()]`). Counts only what the
 * rule needs; unknown or missing fields count as nothing seen.
 */
export function snapshotFromStats (
  stats: readonly Stat[], at: number, iceState: RTCIceConnectionState, gatheringDone: boolean
): IceSnapshot {
  const of = (type: string): Stat[] => stats.filter(s => s.type === type)
  return {
    at,
    iceState,
    gatheringDone,
    localCandidates: of('local-candidate').length,
    remoteCandidates: of('remote-candidate').length,
    pairs: of('candidate-pair').map(p => ({
      state: typeof p.state === 'string' ? p.state : 'unknown',
      responsesReceived: typeof p.responsesReceived === 'number' ? p.responsesReceived : 0
    }))
  }
}

/** Which way a connected peer connection carries data, from getStats() entries; undefined before a pair is selected. */
export function pathFromStats (stats: readonly Stat[]): DirectPath | undefined {
  const byId = new Map(stats.map(s => [s.id, s]))
  const transport = stats.find(s => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')
  const pair = (transport !== undefined ? byId.get(transport.selectedCandidatePairId) : undefined) ??
    // Firefox has no transport stats: its selected pair says so itself.
    stats.find(s => s.type === 'candidate-pair' && s.selected === true) ??
    stats.find(s => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded')
  if (pair === undefined) return undefined
  const local = byId.get(pair.localCandidateId); const remote = byId.get(pair.remoteCandidateId)
  if (local === undefined || remote === undefined) return undefined
  return local.candidateType === 'relay' || remote.candidateType === 'relay' ? 'turn' : 'direct'
}
