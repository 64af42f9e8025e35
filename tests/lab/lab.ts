// Runs pairing attempts in the network lab: Chromium "phones" inside the phone
// namespaces load the lab page (the app's real link code) from the public namespace's
// server, fetch STUN/TURN credentials like the app, and pair by invite or two scans.
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { build } from 'vite'
import { chromium, type Browser, type Page } from 'playwright-core'
import { BASE_ARGS } from '../e2e/link-harness/browser.ts'
import type { HarnessApi } from '../e2e/link-harness/harness.ts'
import type { LabApi } from './page/lab.ts'
import type { LinkPath } from '../../src/link/ice-evidence.ts'
import { CONDITIONS, type Condition, type Mode } from './conditions.ts'
import { Lab, PUBLIC_V4, PUBLIC_V6 } from './net.ts'

declare global { interface Window { lab: LabApi, __labPcs?: RTCPeerConnection[] } }
type W = Window & { h: HarnessApi }

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '../..')
const PORT = 8080

export interface Attempt {
  condition: string
  mode: Mode
  run: number
  ok: boolean
  /** Connected: scan → link up. Failed: scan → the error the phone reported (or the cap). */
  ms: number
  /**
   * Connected: how the data travels, as the app itself reports it (linkReport(link).path):
   * 'direct' (host or server-reflexive pair), 'turn' (a TURN relay candidate) or 'relay'
   * (the encrypted WebSocket relay). Read ~0.7 s after connecting: the settled pair.
   */
  path?: LinkPath
  /** The selected candidate pair's types, e.g. 'srflx-srflx', 'relay/udp-prflx', or 'ws-relay'. */
  pair?: string
  /** Failed: when (ms from the payer's scan) and how each phone explained it; undefined = it never did within the cap. */
  explained?: { payee?: Explained | undefined, payer?: Explained | undefined }
  error?: string
}

export interface LabOptions {
  conditions?: string[]
  modes?: Mode[]
  runs?: number
  /** Give up on one attempt after this long (every run is bounded). */
  capMs?: number
  log?: (line: string) => void
  /**
   * Keep the phones' browsers across conditions (faster: the quick subset). Off by default,
   * so no condition inherits a browser's state (sockets, network lists) from the one before.
   */
  keepPhones?: boolean
}

async function buildPage (): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-page-'))
  await build({ root: join(here, 'page'), configFile: false, logLevel: 'error', base: './', build: { outDir: dir, emptyOutDir: true, target: 'es2022', minify: false } })
  return dir
}

interface Phone { browser: Browser, page: Page }

async function launchIn (ns: string, url: string, bin: string, origins: string): Promise<Phone> {
  const wrapper = join(bin, `chromium-${ns}`)
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} /usr/bin/chromium "$@"\n`)
  chmodSync(wrapper, 0o755)
  const browser = await chromium.launch({ executablePath: wrapper, args: [...BASE_ARGS, `--unsafely-treat-insecure-origin-as-secure=${origins}`], timeout: 20_000 })
  const page = await browser.newPage()
  // Keep each RTCPeerConnection so the lab can read which candidate pair carried the link.
  await page.addInitScript(() => {
    const Orig = window.RTCPeerConnection
    const pcs: RTCPeerConnection[] = []
    window.__labPcs = pcs
    window.RTCPeerConnection = class extends Orig { constructor (c?: RTCConfiguration) { super(c); pcs.push(this) } } as typeof RTCPeerConnection
  })
  await page.goto(url, { timeout: 15_000 })
  await page.waitForFunction(() => (window as unknown as W).h !== undefined && window.lab !== undefined, undefined, { timeout: 10_000 })
  return { browser, page }
}

async function open (p: Phone, url: string): Promise<void> {
  await p.page.goto(url, { timeout: 15_000 })
  await p.page.waitForFunction(() => (window as unknown as W).h !== undefined && window.lab !== undefined, undefined, { timeout: 10_000 })
}

async function fresh (p: Phone): Promise<void> {
  await p.page.reload({ timeout: 15_000 })
  await p.page.waitForFunction(() => (window as unknown as W).h !== undefined && window.lab !== undefined, undefined, { timeout: 10_000 })
}

/** Which candidate pair the open direct link uses (detail; the path itself comes from the app). */
async function via (p: Phone): Promise<string> {
  return await p.page.evaluate(async () => {
    for (const pc of [...window.__labPcs ?? []].reverse()) {
      if (pc.connectionState !== 'connected') continue
      const stats = await pc.getStats()
      let pairId: string | undefined
      stats.forEach((s: { type: string, selectedCandidatePairId?: string }) => { if (s.type === 'transport' && s.selectedCandidatePairId !== undefined) pairId = s.selectedCandidatePairId })
      const pair = pairId !== undefined ? stats.get(pairId) as { localCandidateId: string, remoteCandidateId: string } : undefined
      if (pair === undefined) continue
      const l = stats.get(pair.localCandidateId) as { candidateType: string, relayProtocol?: string, address?: string }
      const r = stats.get(pair.remoteCandidateId) as { candidateType: string }
      return `${l.candidateType}${l.candidateType === 'relay' ? '/' + (l.relayProtocol ?? '?') : ''}-${r.candidateType}${(l.address ?? '').includes(':') ? ' v6' : ''}`
    }
    return '?'
  })
}

/** What each peer connection gathered, was told, and where its checks got to (LAB_DEBUG). */
async function iceState (p: Phone): Promise<unknown> {
  return await p.page.evaluate(async () => await Promise.all((window.__labPcs ?? []).map(async pc => {
    const stats = await pc.getStats()
    // (No named inner functions: tsx would wrap them in a helper the page lacks.)
    const pairs: string[] = []
    stats.forEach((s: { type: string, localCandidateId: string, remoteCandidateId: string, state: string, nominated?: boolean, requestsSent?: number, responsesReceived?: number, requestsReceived?: number }) => {
      if (s.type !== 'candidate-pair') return
      const [l, r] = [s.localCandidateId, s.remoteCandidateId].map(id => stats.get(id) as { candidateType?: string, address?: string, port?: number } | undefined)
      pairs.push(`${l?.candidateType ?? '?'} ${l?.address ?? '?'}:${l?.port ?? '?'} -> ${r?.candidateType ?? '?'} ${r?.address ?? '?'}:${r?.port ?? '?'} ${s.state}${s.nominated === true ? ' NOM' : ''} req ${s.requestsSent ?? 0}/${s.requestsReceived ?? 0} resp ${s.responsesReceived ?? 0}`)
    })
    return {
      conn: pc.connectionState,
      ice: pc.iceConnectionState,
      local: pc.localDescription?.sdp.match(/a=candidate.*/g) ?? [],
      remote: pc.remoteDescription?.sdp.match(/a=candidate.*/g) ?? [],
      pairs
    }
  }))).catch((e: unknown) => String(e))
}

const withCap = async <T>(p: Promise<T>, ms: number): Promise<T | 'cap'> =>
  await Promise.race([p, new Promise<'cap'>(resolve => setTimeout(() => resolve('cap'), ms))])

type Res = { mode: string, path: LinkPath, error?: undefined } | { error: string, code?: string }

/** A phone's explanation of a failure: ms from the payer's scan, and the words. */
export interface Explained { ms: number, text: string }

/**
 * Resolves with the first explanation this phone shows by itself (a notice while it waits,
 * or its link failing), or undefined when none came within `ms`.
 */
async function watchExplained (p: Phone, t0: number, ms: number): Promise<Explained | undefined> {
  const text = await p.page.evaluate(async (ms) => {
    const h = (window as unknown as W).h
    return await Promise.race([
      h.waitNotice(ms),
      h.waitClose(ms).then(c => (c as { error?: string, message?: string } | undefined)?.error ?? (c as { message?: string } | undefined)?.message)
    ])
  }, ms).catch(() => undefined)
  return text !== undefined ? { ms: Date.now() - t0, text } : undefined
}

const earliest = (...xs: Array<Explained | undefined>): Explained | undefined =>
  xs.filter((x): x is Explained => x !== undefined).sort((x, y) => x.ms - y.ms)[0]

/**
 * The path both phones report (linkReport(link).path), read a moment after connecting so a
 * link that started on a TURN pair and moved to a direct one counts as direct. Where the
 * phones disagree (one sees the other's TURN address only as a peer-reflexive one), the
 * one that saw a relay is right.
 */
async function settledPath (a: Phone, b: Phone): Promise<LinkPath | undefined> {
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
  const paths = await Promise.all([a, b].map(async p => await p.page.evaluate(async () => {
    const l = await (window as unknown as W).h.waitLink(1000)
    return 'path' in l ? l.path : undefined
  }).catch(() => undefined)))
  for (const want of ['relay', 'turn', 'direct'] as const) if (paths.includes(want)) return want
  return undefined
}
const SETTLE_MS = 700
/** The app's bound on making a one-scan code before it shows a two-scan code instead (SIGNAL_WAIT_MS in src/app/pairing.ts). */
const SIGNAL_WAIT_MS = 3000

type Outcome = Omit<Attempt, 'condition' | 'mode' | 'run'>

async function attempt (mode: Mode, a: Phone, b: Phone, signalUrl: string, capMs: number): Promise<Outcome> {
  // Phone A is the payee (shows the code), phone B the payer (scans it). From the payer's
  // scan on, both phones are watched for an explanation: a failed attempt must give both
  // people one (what happened, what to do).
  let t0 = Date.now()
  let watchA = watchExplained(a, t0, capMs)
  const fail = async (error: string, own: { payee?: Explained, payer?: Explained }, watchB?: Promise<Explained | undefined>): Promise<Outcome> => {
    const ms = Date.now() - t0
    // A side that explained by its own result needs no watching (its watcher would run to the cap).
    const [wa, wb] = await Promise.all([own.payee === undefined ? watchA : undefined, own.payer === undefined ? watchB : undefined])
    return { ok: false, ms, error, explained: { payee: earliest(own.payee, wa), payer: earliest(own.payer, wb) } }
  }
  if (mode === 'invite') {
    const shown = await withCap(a.page.evaluate(async (u) => {
      try {
        const iceServers = await window.lab.ice(u)
        return await (window as unknown as W).h.hostInvite(u, { iceServers })
      } catch (e) { return { error: String(e) } }
    }, signalUrl), Math.min(capMs, SIGNAL_WAIT_MS))
    // No one-scan code: there is nothing for the payer to scan, and the app's payee screen
    // shows a two-scan code instead once SIGNAL_WAIT_MS has passed (startPayeePairing in
    // src/app/pairing.ts), so the lab stops waiting there too.
    if (shown === 'cap') return await fail('payee: no one-scan code within 3 s', { payee: { ms: Date.now() - t0, text: '(the app shows a two-scan code instead)' }, payer: { ms: 0, text: '(no code to scan)' } })
    if ('error' in shown) return await fail(`payee: ${shown.error}`, { payee: { ms: Date.now() - t0, text: shown.error }, payer: { ms: 0, text: '(no code to scan)' } })
    t0 = Date.now()
    watchA = watchExplained(a, t0, capMs)
    const watchB = watchExplained(b, t0, capMs)
    const r = await withCap(b.page.evaluate(async ([t, u]) => {
      const iceServers = await window.lab.ice(u!)
      return await (window as unknown as W).h.joinInvite(t!, u!, { iceServers })
    }, [shown.text, signalUrl]), capMs) as Res | 'cap'
    const ms = Date.now() - t0
    if (r === 'cap') return await fail('payer: nothing happened within the cap', {}, watchB)
    if (r.error !== undefined) return await fail(`payer: ${r.error}`, { payer: { ms, text: r.error } }, watchB)
    return { ok: true, ms, path: await settledPath(a, b) ?? r.path, pair: r.mode === 'relay' ? 'ws-relay' : await via(b) }
  }
  const offer = await withCap(a.page.evaluate(async () => {
    try {
      // The payee's page knows the service from its origin, as the app does.
      const iceServers = await window.lab.ice(location.origin.replace(/^http/, 'ws') + '/signal')
      return await (window as unknown as W).h.qrOffer({ iceServers })
    } catch (e) { return { error: String(e) } }
  }), capMs)
  if (offer === 'cap') return await fail('payee: no offer code within the cap', {})
  if ('error' in offer) return await fail(`payee: ${offer.error}`, { payee: { ms: Date.now() - t0, text: offer.error }, payer: { ms: 0, text: '(no code to scan)' } })
  t0 = Date.now()
  watchA = watchExplained(a, t0, capMs)
  const watchB = watchExplained(b, t0, capMs)
  const ans = await withCap(b.page.evaluate(async ([t, u]) => {
    const iceServers = await window.lab.ice(u!)
    return await (window as unknown as W).h.answerText(t!, { iceServers })
  }, [offer.text, signalUrl]), capMs)
  if (ans === 'cap') return await fail('payer: no answer code within the cap', {}, watchB)
  if ('error' in ans) return await fail(`payer: ${ans.error}`, { payer: { ms: Date.now() - t0, text: ans.error } }, watchB)
  if (process.env.LAB_DEBUG !== undefined) console.error(`  answer after ${Date.now() - t0} ms: ${ans.text.length} chars`)
  const left = Math.max(1000, capMs - (Date.now() - t0))
  const r = await withCap(a.page.evaluate(async (t) => await (window as unknown as W).h.acceptAnswer(t), ans.text), left) as Res | 'cap'
  const ms = Date.now() - t0
  if (r === 'cap') return await fail('payee: no connection within the cap', {}, watchB)
  if (r.error !== undefined) return await fail(`payee: ${r.error}`, { payee: { ms, text: r.error } }, watchB)
  return { ok: true, ms, path: await settledPath(a, b) ?? r.path, pair: await via(a) }
}

export async function runLab (o: LabOptions = {}): Promise<Attempt[]> {
  const log = o.log ?? ((s: string) => { console.error(s) })
  const conditions: Condition[] = o.conditions === undefined ? CONDITIONS : o.conditions.map(n => {
    const c = CONDITIONS.find(c => c.name === n)
    if (c === undefined) throw new Error(`No lab condition "${n}" (have: ${CONDITIONS.map(c => c.name).join(', ')})`)
    return c
  })
  const modes = o.modes ?? ['invite', 'qr']
  const runs = o.runs ?? 3
  const capMs = o.capMs ?? 15_000
  const results: Attempt[] = []
  const pageDir = await buildPage()
  const bin = mkdtempSync(join(tmpdir(), 'lab-bin-'))
  const lab = new Lab()
  try {
    lab.buildInternet()
    const server = lab.spawnIn(lab.ns.pub, process.execPath, ['--import', 'tsx', join(here, 'pub-server.ts')], { LAB_PAGE_DIR: pageDir, LAB_PORT: String(PORT) }, repo)
    let serverErr = ''
    server.stderr!.on('data', (d: Buffer) => { serverErr = (serverErr + d.toString()).slice(-4000) })
    const ready = await new Promise<boolean>(resolve => {
      const t = setTimeout(() => resolve(false), 30_000)
      createInterface({ input: server.stdout! }).on('line', l => { if (l.startsWith('ready')) { clearTimeout(t); resolve(true) } })
      server.once('exit', () => { clearTimeout(t); resolve(false) })
    })
    if (!ready) throw new Error(`lab server did not start: ${serverErr}`)
    const origins = `http://${PUBLIC_V4}:${PORT},http://[${PUBLIC_V6}]:${PORT}`
    let a: Phone | undefined; let b: Phone | undefined
    try {
    for (const c of conditions) {
      const tc = Date.now()
      await lab.buildSides(c.topology)
      const host = c.topology.ipv6Only === true ? `[${PUBLIC_V6}]` : PUBLIC_V4
      const url = `http://${host}:${PORT}/`
      const signalUrl = `ws://${host}:${PORT}/signal`
      try {
        const tl = Date.now()
        if (a === undefined || b === undefined) [a, b] = await Promise.all([launchIn(lab.ns.pa, url, bin, origins), launchIn(lab.ns.pb, url, bin, origins)])
        else await Promise.all([open(a, url), open(b, url)])
        if (process.env.LAB_DEBUG !== undefined) log(`  phones up in ${Date.now() - tl} ms (network built in ${tl - tc} ms)`)
        for (const mode of modes) {
          for (let run = 1; run <= runs; run++) {
            if (run > 1 || mode !== modes[0]) { await fresh(a); await fresh(b) }
            if (c.offline === 'uplink-a') lab.cutUplink(lab.ns.ra)
            if (c.offline === 'phone-b') lab.takeOffline(lab.ns.pb)
            let r: Omit<Attempt, 'condition' | 'mode' | 'run'>
            try { r = await attempt(mode, a, b, signalUrl, capMs) } catch (e) { r = { ok: false, ms: capMs, error: `lab: ${(e as Error).message.split('\n')[0]}` } }
            if ((!r.ok || process.env.LAB_DEBUG === 'all') && process.env.LAB_DEBUG !== undefined) for (const p of [a, b]) log(`  ${p === a ? 'payee' : 'payer'} ICE: ${JSON.stringify(await iceState(p))}`)
            if (c.offline === 'uplink-a') lab.restoreUplink(lab.ns.ra)
            if (c.offline === 'phone-b') lab.restoreOnline(lab.ns.pb)
            const res = { condition: c.name, mode, run, ...r }
            results.push(res)
            const said = (e: Explained | undefined): string => e === undefined ? 'nothing' : `${e.ms} ms`
            log(`${c.name.padEnd(13)} ${mode.padEnd(6)} #${run} ${r.ok ? 'ok  ' : 'FAIL'} ${String(r.ms).padStart(6)} ms  ` +
              (r.ok ? `${r.path ?? '?'} (${r.pair ?? '?'})` : `explained: payee ${said(r.explained?.payee)}, payer ${said(r.explained?.payer)}; ${(r.error ?? '').slice(0, 140)}`))
            if (!r.ok && process.env.LAB_DEBUG !== undefined) log(`    payee: ${r.explained?.payee?.text ?? '-'}\n    payer: ${r.explained?.payer?.text ?? '-'}`)
          }
        }
      } finally {
        if (o.keepPhones !== true) {
          await Promise.all([a?.browser.close().catch(() => {}), b?.browser.close().catch(() => {})])
          a = undefined; b = undefined
        }
        await lab.teardownSides()
      }
      log(`  (${c.name}: ${((Date.now() - tc) / 1000).toFixed(1)} s)`)
    }
    } finally {
      await Promise.all([a?.browser.close().catch(() => {}), b?.browser.close().catch(() => {})])
    }
  } finally {
    lab.destroySync()
    rmSync(pageDir, { recursive: true, force: true })
    rmSync(bin, { recursive: true, force: true })
  }
  const left = lab.leftovers()
  if (left.length > 0) throw new Error(`lab namespaces left behind: ${left.join(' ')}`)
  return results
}
