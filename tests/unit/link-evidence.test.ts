// The rules that decide, from what ICE has seen, when a direct attempt is hopeless, when
// a two-scan code has waited long enough for candidates, which path a link took, and
// what each phone tells its person.
import { describe, expect, it } from 'vitest'
import { judgeDirect, pathFromStats, snapshotFromStats, type IceSnapshot } from '../../src/link/ice-evidence.ts'
import { gatherDone, serverKinds, type GatherState } from '../../src/link/gathering.ts'
import { answerWaitNotice, describePath, explainFailure, failureOf, inviteWaitNotice } from '../../src/link/explain.ts'
import { SignalClient, type WebSocketCtor } from '../../src/link/signal-client.ts'
import { createServer, type Socket } from 'node:net'
import WebSocket from 'ws'

const snap = (at: number, o: Partial<IceSnapshot> = {}): IceSnapshot => ({
  at, iceState: 'checking', gatheringDone: false, localCandidates: 2, remoteCandidates: 2, pairs: [], ...o
})
const silent = { state: 'in-progress', responsesReceived: 0 }
const answered = { state: 'in-progress', responsesReceived: 1 }

describe('the evidence rule: direct or relay', () => {
  it('switches as soon as ICE reports failed', () => {
    expect(judgeDirect([snap(100), snap(300, { iceState: 'failed' })])).toEqual({ action: 'relay', reason: 'ice-failed' })
  })

  it('switches when this phone gathered no address at all', () => {
    expect(judgeDirect([snap(200, { gatheringDone: true, localCandidates: 0, remoteCandidates: 3 })]))
      .toEqual({ action: 'relay', reason: 'no-candidates' })
    // still gathering: not yet
    expect(judgeDirect([snap(200, { localCandidates: 0 })])).toEqual({ action: 'wait' })
  })

  it('gives up at once when the other phone\'s complete (two-scan) code carries no address, not after the cap', () => {
    // The offline payer's answer: nothing will ever trickle in, so nothing to wait for.
    expect(judgeDirect([snap(150, { remoteCandidates: 0, remoteFinal: true })])).toEqual({ action: 'relay', reason: 'peer-no-candidates' })
    // One scan: candidates may still trickle in, so an empty list is no evidence yet.
    expect(judgeDirect([snap(150, { remoteCandidates: 0, remoteFinal: false })])).toEqual({ action: 'wait' })
    expect(judgeDirect([snap(150, { remoteCandidates: 0 })])).toEqual({ action: 'wait' })
    // A connected link is never second-guessed.
    expect(judgeDirect([snap(150, { iceState: 'connected', remoteCandidates: 0, remoteFinal: true })])).toEqual({ action: 'wait' })
  })

  it('switches 1.5 s after both sides have candidates when no pair had a response', () => {
    const h = [snap(0, { localCandidates: 1, remoteCandidates: 0 }), snap(400, { pairs: [silent] }), snap(1800, { pairs: [silent, silent] })]
    expect(judgeDirect(h)).toEqual({ action: 'wait' }) // 1.4 s since both had candidates
    expect(judgeDirect([...h, snap(1950, { pairs: [silent, silent] })])).toEqual({ action: 'relay', reason: 'no-response' })
  })

  it('keeps waiting while checks get answers, up to 6 s', () => {
    const h = [snap(0), snap(300, { pairs: [answered] }), snap(2500, { pairs: [answered] })]
    expect(judgeDirect(h)).toEqual({ action: 'wait' })
    expect(judgeDirect([...h, snap(5900, { pairs: [answered] })])).toEqual({ action: 'wait' })
    expect(judgeDirect([...h, snap(6000, { pairs: [answered] })])).toEqual({ action: 'relay', reason: 'timeout' })
  })

  it('remembers an answer even when the pair later stops answering', () => {
    const h = [snap(0), snap(200, { pairs: [{ state: 'succeeded', responsesReceived: 0 }] }), snap(2500, { pairs: [] })]
    expect(judgeDirect(h)).toEqual({ action: 'wait' })
  })

  it('never switches a connected attempt, and waits without evidence until the cap', () => {
    expect(judgeDirect([snap(9000, { iceState: 'connected' })])).toEqual({ action: 'wait' })
    expect(judgeDirect([snap(2000, { remoteCandidates: 0 })])).toEqual({ action: 'wait' })
    expect(judgeDirect([snap(6000, { remoteCandidates: 0 })])).toEqual({ action: 'relay', reason: 'timeout' })
  })

  it('reads the counts from getStats() entries, ignoring what it does not know', () => {
    const s = snapshotFromStats([
      { type: 'local-candidate', id: 'L1', candidateType: 'host' },
      { type: 'remote-candidate', id: 'R1', candidateType: 'srflx' },
      { type: 'remote-candidate', id: 'R2', candidateType: 'prflx' },
      { type: 'candidate-pair', id: 'P1', state: 'in-progress', responsesReceived: 0, requestsSent: 4 },
      { type: 'candidate-pair', id: 'P2', state: 'failed' },
      { type: 'codec', id: 'x' }
    ], 700, 'checking', true)
    expect(s).toEqual({
      at: 700, iceState: 'checking', gatheringDone: true, localCandidates: 1, remoteCandidates: 2,
      pairs: [{ state: 'in-progress', responsesReceived: 0 }, { state: 'failed', responsesReceived: 0 }]
    })
  })
})

describe('which path a connected link took', () => {
  const stats = (local: string, remote: string): Array<Record<string, unknown>> => [
    { type: 'transport', id: 'T', selectedCandidatePairId: 'P2' },
    { type: 'candidate-pair', id: 'P1', localCandidateId: 'La', remoteCandidateId: 'Ra', state: 'failed' },
    { type: 'candidate-pair', id: 'P2', localCandidateId: 'Lb', remoteCandidateId: 'Rb', state: 'succeeded', nominated: true },
    { type: 'local-candidate', id: 'La', candidateType: 'relay' },
    { type: 'remote-candidate', id: 'Ra', candidateType: 'relay' },
    { type: 'local-candidate', id: 'Lb', candidateType: local },
    { type: 'remote-candidate', id: 'Rb', candidateType: remote }
  ]
  it('is direct for host and server-reflexive pairs, TURN when either end is a relay candidate', () => {
    expect(pathFromStats(stats('host', 'host'))).toBe('direct')
    expect(pathFromStats(stats('srflx', 'prflx'))).toBe('direct')
    expect(pathFromStats(stats('relay', 'host'))).toBe('turn')
    expect(pathFromStats(stats('srflx', 'relay'))).toBe('turn')
  })
  it('uses the selected pair where there is no transport entry (Firefox), and knows when it cannot tell', () => {
    const ff = stats('host', 'relay').filter(s => s.type !== 'transport').map(s => s.id === 'P2' ? { ...s, selected: true } : s)
    expect(pathFromStats(ff)).toBe('turn')
    expect(pathFromStats([])).toBeUndefined()
  })
})

describe('how long a two-scan code waits for candidates', () => {
  const g = (o: Partial<GatherState>): GatherState => ({ at: 0, complete: false, haveSrflx: false, haveRelay: false, wantsServer: false, wantsRelay: false, ...o })
  it('without servers: 1.2 s after the first host candidate, or when gathering completes', () => {
    expect(gatherDone(g({ at: 1000, firstCandidateAt: 10 }))).toBe(false)
    expect(gatherDone(g({ at: 1210, firstCandidateAt: 10 }))).toBe(true)
    expect(gatherDone(g({ at: 30, complete: true }))).toBe(true)
  })
  it('with STUN: waits past the host candidates for the server-reflexive one', () => {
    const stun = { wantsServer: true, firstCandidateAt: 10 }
    expect(gatherDone(g({ ...stun, at: 1500 }))).toBe(false)
    expect(gatherDone(g({ ...stun, at: 1500, haveSrflx: true, firstServerCandidateAt: 1400 }))).toBe(true)
  })
  it('with TURN: waits for the relay candidate too, but only ~1.2 s after the first server answer', () => {
    const turn = { wantsServer: true, wantsRelay: true, firstCandidateAt: 10, haveSrflx: true, firstServerCandidateAt: 200 }
    expect(gatherDone(g({ ...turn, at: 900 }))).toBe(false)
    expect(gatherDone(g({ ...turn, at: 900, haveRelay: true }))).toBe(true)
    expect(gatherDone(g({ ...turn, at: 1400 }))).toBe(true)
  })
  it('a STUN server that never answers (Wi-Fi without internet) costs 2 s, not 40', () => {
    expect(gatherDone(g({ wantsServer: true, firstCandidateAt: 10, at: 1900 }))).toBe(false)
    expect(gatherDone(g({ wantsServer: true, firstCandidateAt: 10, at: 2010 }))).toBe(true)
    expect(gatherDone(g({ wantsServer: true, at: 5000 }))).toBe(true) // no candidate at all
  })
  it('tells STUN from TURN servers', () => {
    expect(serverKinds([{ urls: 'stun:stun.example.org' }])).toEqual({ stun: true, turn: false })
    expect(serverKinds([{ urls: ['turns:t.example.org:443?transport=tcp'], username: 'u', credential: 'p' }])).toEqual({ stun: false, turn: true })
    expect(serverKinds([])).toEqual({ stun: false, turn: false })
  })
})

describe('what each phone tells its person', () => {
  it('two phones that cannot reach each other: one network, or the one-scan code', () => {
    const m = explainFailure({ kind: 'unreachable', mode: 'qr', online: true })
    expect(m).toMatch(/cannot reach each other/)
    expect(m).toMatch(/one Wi-Fi/); expect(m).toMatch(/hotspot/); expect(m).toMatch(/one-scan code/)
    expect(m).not.toMatch(/Connection failed/)
  })
  it('no address on an online phone (IPv6-only) does not blame the Wi-Fi', () => {
    const online = explainFailure({ kind: 'no-local-address', mode: 'qr', online: true })
    expect(online).toMatch(/online/); expect(online).toMatch(/IPv6/); expect(online).toMatch(/one-scan code/)
    expect(online).not.toMatch(/check (your )?Wi-Fi|not on any network/i)
    const offline = explainFailure({ kind: 'no-local-address', mode: 'qr', online: false })
    expect(offline).toMatch(/not on any network/); expect(offline).toMatch(/hotspot/)
  })
  it('a service that does not answer offers the way that needs none; an offline phone is told to turn on data', () => {
    expect(explainFailure({ kind: 'signalling-unreachable', mode: 'invite', online: true })).toMatch(/two-scan code/)
    expect(explainFailure({ kind: 'signalling-unreachable', mode: 'invite', online: false })).toMatch(/mobile data/)
    expect(explainFailure({ kind: 'relay-unavailable', mode: 'invite', online: true })).toMatch(/mobile data/)
  })
  it('an offline phone\'s empty code: the other phone is told why, and every way out including paying by codes', () => {
    expect(failureOf('peer-no-candidates')).toBe('peer-no-address')
    const m = explainFailure({ kind: 'peer-no-address', mode: 'qr', online: true })
    expect(m).toMatch(/not on any network/); expect(m).toMatch(/mobile data/); expect(m).toMatch(/hotspot/); expect(m).toMatch(/showing codes/)
    expect(answerWaitNotice('peer-no-candidates', true)).toBe(m)
    // A phone that counts itself online yet offers no address may simply have no route.
    const self = answerWaitNotice('no-candidates', true)
    expect(self).toMatch(/no connection at all/); expect(self).toMatch(/mobile data/); expect(self).toMatch(/showing codes/)
  })
  it('the payee of a one-scan code nobody used says what the payer can do, since it cannot know why', () => {
    const m = inviteWaitNotice()
    expect(m).toMatch(/not connected yet/); expect(m).toMatch(/mobile data/); expect(m).toMatch(/two-scan code/); expect(m).toMatch(/showing codes/)
  })
  it('maps each evidence reason to a failure and says what the payer can do while waiting', () => {
    expect(failureOf('no-candidates')).toBe('no-local-address')
    expect(failureOf('no-response')).toBe('unreachable')
    expect(failureOf('ice-failed')).toBe('unreachable')
    expect(failureOf('timeout')).toBe('no-answer')
    expect(answerWaitNotice('no-response', true)).toMatch(/cannot reach the other phone/)
    expect(answerWaitNotice('no-response', true)).toMatch(/one-scan code/)
  })
  it('says how a connected link is carried', () => {
    expect(describePath('direct')).toMatch(/^Connected directly/)
    expect(describePath('turn')).toMatch(/TURN server/)
    expect(describePath('relay')).toMatch(/encrypted relay/)
  })
})

describe('a signalling service that does not answer', () => {
  it('is given up on after the connect timeout, with words that offer two scans', async () => {
    // Accepts the TCP connection and never answers the WebSocket upgrade, like a captive
    // portal or a dead service behind a live load balancer.
    const held: Socket[] = []
    const server = createServer(s => { held.push(s) })
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()))
    try {
      const port = (server.address() as { port: number }).port
      const t0 = Date.now()
      const err = await SignalClient.connect(`ws://127.0.0.1:${port}/signal`, WebSocket as unknown as WebSocketCtor, 300).catch((e: unknown) => e)
      expect(Date.now() - t0).toBeLessThan(2000)
      expect(err).toMatchObject({ code: 'signalling', message: expect.stringMatching(/could not be reached/) })
      expect((err as Error).message).toMatch(/two-scan code/)
    } finally {
      held.forEach(s => s.destroy())
      await new Promise<void>(r => server.close(() => r()))
    }
  })
})
