// TURN as a real component: short-lived credentials for coturn's `use-auth-secret`
// (the "TURN REST API" scheme), the ICE server list the signalling service hands to
// phones, and a coturn launcher for `npm start`, the tests and the network lab.
//
// Scheme (coturn README.turnserver, "TURN REST API"): username = "<expiry unix s>:<id>",
// password = base64(HMAC-SHA1(static-auth-secret, username)). coturn recomputes the
// password from the username and refuses it once the expiry has passed, so the
// signalling service stores nothing and a leaked credential dies on its own.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { connect, isIP } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeyedBuckets } from './signal/rate-limit.ts'

export interface TurnCredential { username: string, credential: string, expiresAt: number }

/** Credentials valid for `ttlS` seconds from `nowMs`; `id` names the holder in coturn's log. */
export function turnCredential (secret: string, ttlS: number, nowMs = Date.now(), id = randomBytes(6).toString('hex')): TurnCredential {
  if (secret === '') throw new Error('The TURN secret is empty.')
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error('A TURN credential id is letters, digits, _ or - only.')
  const expiresAt = Math.floor(nowMs / 1000) + Math.max(1, Math.floor(ttlS))
  const username = `${expiresAt}:${id}`
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64'), expiresAt }
}

export interface IceServer { urls: string, username?: string, credential?: string }

export interface IceConfig {
  /** Shared with coturn's static-auth-secret. Without it only STUN is handed out. */
  secret?: string
  /** turn:/turns: URLs. `{host}` is replaced by the host name the phone used to reach us. */
  turnUrls: string[]
  /** stun: URLs, same `{host}` rule. */
  stunUrls: string[]
  /** Credential lifetime in seconds. */
  ttlS: number
}

/** The list a phone gets: STUN first, then TURN with fresh credentials. */
export function iceServersFor (cfg: IceConfig, host: string, nowMs = Date.now()): { iceServers: IceServer[], expiresAt?: number } {
  const fill = (u: string): string => u.replaceAll('{host}', host)
  const iceServers: IceServer[] = cfg.stunUrls.map(u => ({ urls: fill(u) }))
  if (cfg.secret === undefined || cfg.turnUrls.length === 0) return { iceServers }
  const cred = turnCredential(cfg.secret, cfg.ttlS, nowMs)
  for (const u of cfg.turnUrls) iceServers.push({ urls: fill(u), username: cred.username, credential: cred.credential })
  return { iceServers, expiresAt: cred.expiresAt }
}

/**
 * The host name from a request's Host header, when it is a plain name or address: it only
 * ever goes back to the same client, but a hostile header must not smuggle in a second URL.
 */
export function requestHost (hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined) return undefined
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(?::\d{1,5})?$/.exec(hostHeader.trim())
  return m?.[1]
}

export const ICE_PATH_SUFFIX = '/ice'

/**
 * GET <signal path>/ice → { iceServers, expiresAt? } (JSON, no caching, CORS-open: the
 * signalling service may live on another origin than the app). Rate-limited per client
 * address, since each answer is a ticket to relay traffic through our TURN server.
 * Returns false when the request is not for us.
 */
export function iceHandler (cfg: IceConfig, opts: { path: string, perMinute?: number, clientIp?: (req: IncomingMessage) => string }): (req: IncomingMessage, res: ServerResponse) => boolean {
  const buckets = new KeyedBuckets((opts.perMinute ?? 30) / 60, opts.perMinute ?? 30)
  let sweeps = 0
  return (req, res) => {
    let pathname: string
    try { pathname = new URL(req.url ?? '/', 'http://x').pathname } catch { return false }
    if (pathname !== opts.path + ICE_PATH_SUFFIX) return false
    const headers = { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': '*' }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { ...headers, allow: 'GET' }); res.end(); return true }
    const ip = opts.clientIp?.(req) ?? req.socket.remoteAddress ?? 'unknown'
    if (++sweeps % 1000 === 0) buckets.sweep()
    if (!buckets.take(ip)) { res.writeHead(429, { ...headers, 'retry-after': '10' }); res.end(JSON.stringify({ error: 'Too many requests; try again in a few seconds.' })); return true }
    const host = requestHost(req.headers.host)
    if (host === undefined) { res.writeHead(400, headers); res.end(JSON.stringify({ error: 'Bad Host header.' })); return true }
    res.writeHead(200, headers)
    res.end(JSON.stringify(iceServersFor(cfg, host)))
    return true
  }
}

const list = (s: string | undefined): string[] => (s ?? '').split(/[\s,]+/).filter(x => x !== '')

/**
 * From the environment (see README "TURN"):
 * HANDOVER_TURN_SECRET, HANDOVER_TURN_URLS, HANDOVER_STUN_URLS, HANDOVER_TURN_TTL_S.
 * `local` is the coturn `npm start` launched itself, used when no URLs are given.
 */
export function iceConfigFromEnv (env: NodeJS.ProcessEnv, local?: { secret: string, port: number }): IceConfig {
  const ttlS = Number(env.HANDOVER_TURN_TTL_S ?? 900)
  if (!(Number.isInteger(ttlS) && ttlS >= 60 && ttlS <= 86_400)) throw new Error('HANDOVER_TURN_TTL_S must be whole seconds between 60 and 86400.')
  const secret = env.HANDOVER_TURN_SECRET ?? local?.secret
  const turnUrls = list(env.HANDOVER_TURN_URLS)
  const stunUrls = list(env.HANDOVER_STUN_URLS)
  if (turnUrls.length === 0 && local !== undefined) {
    turnUrls.push(`turn:{host}:${local.port}?transport=udp`, `turn:{host}:${local.port}?transport=tcp`)
  }
  if (stunUrls.length === 0 && local !== undefined) stunUrls.push(`stun:{host}:${local.port}`)
  for (const u of [...turnUrls, ...stunUrls]) {
    if (!/^(stun|stuns|turn|turns):[^\s]+$/.test(u)) throw new Error(`"${u}" is not a STUN or TURN URL.`)
  }
  return { ...(secret !== undefined && secret !== '' ? { secret } : {}), turnUrls, stunUrls, ttlS }
}

// ---------------------------------------------------------------- coturn

export const TURNSERVER = '/usr/bin/turnserver'

export function coturnInstalled (bin = TURNSERVER): boolean {
  return existsSync(bin)
}

export const INSTALL_COTURN = 'TURN is off: coturn is not installed. On Debian/Ubuntu: `sudo apt-get install coturn` (the package\'s own service can stay disabled; `npm start` runs turnserver itself), then restart.'

/** Address ranges a relay must never reach when the TURN server faces the internet. */
export const PRIVATE_RANGES = [
  '0.0.0.0-0.255.255.255', '10.0.0.0-10.255.255.255', '100.64.0.0-100.127.255.255',
  '127.0.0.0-127.255.255.255', '169.254.0.0-169.254.255.255', '172.16.0.0-172.31.255.255',
  '192.0.0.0-192.0.0.255', '192.168.0.0-192.168.255.255', '198.18.0.0-198.19.255.255',
  '::1', 'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff'
]

export interface CoturnOptions {
  secret: string
  /** Listening addresses (default: all). */
  listen?: string[]
  port: number
  realm?: string
  /** Relay port range. */
  minPort?: number
  maxPort?: number
  /**
   * Peers the relay may reach. 'public' (default) refuses loopback and private ranges, so
   * the TURN server cannot be used to reach the network it sits in; 'loopback' (only when
   * listening on loopback, i.e. tests and `npm start` on 127.0.0.1) allows 127.0.0.0/8
   * as well; 'any' allows private ranges (a LAN-only deployment, the lab).
   */
  peers?: 'public' | 'loopback' | 'any'
  /** The address phones see when coturn sits behind a 1:1 NAT (cloud VMs). */
  externalIp?: string
  bin?: string
}

/** A turnserver.conf for TURN REST credentials only: no static users, no CLI, no TLS (see README for 443). */
export function coturnConfig (o: CoturnOptions): string {
  const lines = [
    `listening-port=${o.port}`,
    ...(o.listen ?? []).map(a => `listening-ip=${a}`),
    ...(o.externalIp !== undefined ? [`external-ip=${o.externalIp}`] : []),
    `min-port=${o.minPort ?? 49152}`,
    `max-port=${o.maxPort ?? 65535}`,
    'fingerprint',
    'use-auth-secret',
    `static-auth-secret=${o.secret}`,
    `realm=${o.realm ?? 'handover'}`,
    // A phone needs one or two allocations per payment; more from one credential is abuse.
    'user-quota=12',
    'total-quota=1200',
    'stale-nonce=600',
    'no-multicast-peers',
    'no-cli',
    'no-tls',
    'no-dtls',
    'no-rfc5780',
    'no-stun-backward-compatibility',
    'response-origin-only-with-rfc5780',
    'no-software-attribute',
    'simple-log',
    'log-file=stdout'
  ]
  const peers = o.peers ?? 'public'
  if (peers === 'loopback') lines.push('allow-loopback-peers')
  if (peers !== 'any') {
    for (const r of PRIVATE_RANGES) {
      if (peers === 'loopback' && (r.startsWith('127.') || r === '::1')) continue
      lines.push(`denied-peer-ip=${r}`)
    }
  }
  return lines.join('\n') + '\n'
}

export interface RunningCoturn { port: number, secret: string, process: ChildProcess, log: () => string, close: () => Promise<void> }

/** A free port on `host` for both TCP and UDP is not knowable; try a random high one and retry on clash. */
function randomPort (): number { return 20_000 + Math.floor(Math.random() * 20_000) }

/** Starts turnserver with a temporary config; resolves once it accepts TCP on its port. */
export async function startCoturn (o: Omit<CoturnOptions, 'port'> & { port?: number, readyTimeoutMs?: number }): Promise<RunningCoturn> {
  const bin = o.bin ?? TURNSERVER
  if (!coturnInstalled(bin)) throw new Error(INSTALL_COTURN)
  for (let attempt = 0; ; attempt++) {
    const port = o.port ?? randomPort()
    const dir = mkdtempSync(join(tmpdir(), 'coturn-'))
    const conf = join(dir, 'turnserver.conf')
    writeFileSync(conf, coturnConfig({ ...o, port }), { mode: 0o600 })
    const pidfile = join(dir, 'turnserver.pid')
    const args = ['-c', conf, '--pidfile', pidfile]
    // turnserver runs under a tiny shell that holds our pipe: when this process dies for any
    // reason (even SIGKILL) the pipe closes and the shell stops turnserver, so no orphan keeps
    // the port.
    // If turnserver exits on its own (port taken), the shell exits with it.
    const watchdog = 'exec 3<&0; "$0" "$@" </dev/null 3<&- & p=$!; { read _ <&3; kill $p 2>/dev/null; } & w=$!; wait $p; s=$?; kill $w 2>/dev/null; exit $s'
    const child = spawn('sh', ['-c', watchdog, bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    child.stdout!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000) })
    child.stderr!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000) })
    const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
    const close = async (): Promise<void> => {
      child.stdin!.end()
      const t = setTimeout(() => {
        try { process.kill(Number(readFileSync(pidfile, 'utf8').trim()), 'SIGKILL') } catch {}
        child.kill('SIGKILL')
      }, 3000)
      await exited
      clearTimeout(t)
      rmSync(dir, { recursive: true, force: true })
    }
    const host = o.listen?.[0] ?? '127.0.0.1'
    const ok = await waitTcp(host, port, child, o.readyTimeoutMs ?? 5000)
    if (ok) return { port, secret: o.secret, process: child, log: () => out, close }
    await close()
    if (o.port !== undefined || attempt >= 4) throw new Error(`turnserver did not start on port ${port}:\n${out.slice(-2000)}`)
  }
}

async function waitTcp (host: string, port: number, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const t0 = Date.now()
  const target = isIP(host) === 0 || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) return false
    const up = await new Promise<boolean>(resolve => {
      const s = connect({ host: target, port })
      s.once('connect', () => { s.destroy(); resolve(true) })
      s.once('error', () => resolve(false))
    })
    if (up) return true
    await new Promise(r => setTimeout(r, 50))
  }
  return false
}

/** turnserver's version line, for messages; undefined when it cannot run. */
export function coturnVersion (bin = TURNSERVER): string | undefined {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 3000 })
  return r.status === 0 ? r.stdout.trim() : undefined
}
