// When a two-scan code has waited long enough for candidates. A code is made once and
// can't be amended, so it should carry a server-reflexive (and, with TURN, a relay)
// address when STUN/TURN servers are configured: without one, two phones behind two
// NATs have nothing to reach. But a STUN server that never answers (a Wi-Fi without
// internet) keeps gathering open for ~40 s, so every wait is bounded. Pure.

export interface GatherState {
  /** ms since gathering started */
  at: number
  /** the browser reported gathering complete */
  complete: boolean
  firstCandidateAt?: number
  /** the first server-reflexive or relay candidate */
  firstServerCandidateAt?: number
  haveSrflx: boolean
  haveRelay: boolean
  /** STUN or TURN servers are configured */
  wantsServer: boolean
  /** a TURN server is configured */
  wantsRelay: boolean
}

export interface GatherRule {
  /** No servers: stop this long after the first (host) candidate. Default 1200 ms. */
  afterFirstMs: number
  /** Servers: stop this long after the first server candidate, for the rest to arrive. Default 1200 ms. */
  afterServerMs: number
  /** Servers that never answer: stop this long after the first candidate anyway. Default 2000 ms. */
  serverCapMs: number
  /** No candidate at all: stop at this point. Default 5000 ms. */
  hardCapMs: number
}

export const DEFAULT_GATHER: GatherRule = { afterFirstMs: 1200, afterServerMs: 1200, serverCapMs: 2000, hardCapMs: 5000 }

export function gatherDone (s: GatherState, rule: GatherRule = DEFAULT_GATHER): boolean {
  if (s.complete || s.at >= rule.hardCapMs) return true
  if (s.firstCandidateAt === undefined) return false
  if (!s.wantsServer) return s.at - s.firstCandidateAt >= rule.afterFirstMs
  if (s.haveSrflx && (s.haveRelay || !s.wantsRelay)) return true
  if (s.firstServerCandidateAt !== undefined && s.at - s.firstServerCandidateAt >= rule.afterServerMs) return true
  return s.at - s.firstCandidateAt >= rule.serverCapMs
}

/** Whether the configured servers include STUN and/or TURN (from RTCIceServer urls). */
export function serverKinds (servers: readonly RTCIceServer[]): { stun: boolean, turn: boolean } {
  const urls = servers.flatMap(s => Array.isArray(s.urls) ? s.urls : [s.urls])
  return {
    stun: urls.some(u => /^stuns?:/i.test(u)),
    turn: urls.some(u => /^turns?:/i.test(u))
  }
}
