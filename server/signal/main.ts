// Standalone signalling service: `tsx server/signal/main.ts`.
// Env: PORT (8788), HOST (127.0.0.1), REDIS_URL (optional, enables fan-out across
// instances), SIGNAL_PATH (/signal), TRUST_PROXY=N behind N reverse proxies,
// SIGNAL_MAX_SOCKETS, SIGNAL_MAX_SOCKETS_PER_IP, SIGNAL_ROOM_OPS_PER_MINUTE,
// SIGNAL_INVITE_TTL_MS, SIGNAL_BYTES_PER_SECOND_PER_IP, SIGNAL_UPGRADE_TIMEOUT_MS.
// TURN beside it (README "TURN"): HANDOVER_TURN_SECRET, HANDOVER_TURN_URLS,
// HANDOVER_STUN_URLS, HANDOVER_TURN_TTL_S; phones fetch GET <SIGNAL_PATH>/ice.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { attachSignalling, clientAddress, trustProxyHops } from './service.ts'
import { iceConfigFromEnv, iceHandler } from '../turn.ts'

const env = process.env
const num = (s: string | undefined): number | undefined => s === undefined || s === '' ? undefined : Number(s)

const hops = trustProxyHops(env.TRUST_PROXY)
const ice = iceHandler(iceConfigFromEnv(env), {
  path: env.SIGNAL_PATH ?? '/signal',
  clientIp: req => clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], hops)
})
const server = createServer((req, res) => {
  if (ice(req, res)) return
  if (req.url === '/healthz') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); return }
  res.writeHead(404); res.end()
})
const signalling = attachSignalling(server, {
  path: env.SIGNAL_PATH ?? '/signal',
  ...(env.REDIS_URL !== undefined && env.REDIS_URL !== '' ? { redisUrl: env.REDIS_URL } : {}),
  ...(num(env.SIGNAL_MAX_SOCKETS) !== undefined ? { maxSockets: num(env.SIGNAL_MAX_SOCKETS) } : {}),
  ...(num(env.SIGNAL_MAX_SOCKETS_PER_IP) !== undefined ? { maxSocketsPerIp: num(env.SIGNAL_MAX_SOCKETS_PER_IP) } : {}),
  ...(num(env.SIGNAL_ROOM_OPS_PER_MINUTE) !== undefined ? { roomOpsPerMinute: num(env.SIGNAL_ROOM_OPS_PER_MINUTE) } : {}),
  ...(num(env.SIGNAL_INVITE_TTL_MS) !== undefined ? { inviteTtlMs: num(env.SIGNAL_INVITE_TTL_MS) } : {}),
  ...(num(env.SIGNAL_BYTES_PER_SECOND_PER_IP) !== undefined ? { bytesPerSecondPerIp: num(env.SIGNAL_BYTES_PER_SECOND_PER_IP) } : {}),
  ...(num(env.SIGNAL_UPGRADE_TIMEOUT_MS) !== undefined ? { upgradeTimeoutMs: num(env.SIGNAL_UPGRADE_TIMEOUT_MS) } : {}),
  trustProxy: trustProxyHops(env.TRUST_PROXY)
})
await signalling.ready
server.listen(Number(env.PORT ?? 8788), env.HOST ?? '127.0.0.1', () => {
  const a = server.address() as AddressInfo
  console.log(`Signalling on ws://${a.address}:${a.port}${env.SIGNAL_PATH ?? '/signal'} (instance ${signalling.instanceId}${env.REDIS_URL !== undefined ? ', redis' : ''})`)
})
const stop = (): void => {
  void signalling.close().then(() => { server.close(); process.exit(0) })
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
