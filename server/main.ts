// `npm start`: build is done by the npm script; this serves dist/ plus the devnet.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_CONNECT_SRC, startAppServer } from './app-server.ts'
import { rateLimitFromEnv } from './devnet/rate-limit.ts'
import { trustProxyHops } from './signal/index.ts'
import { listenErrorMessage } from './listen-error.ts'
import { startLocalTurn } from './turn-local.ts'
import { httpsBanner, lanAddresses, selfSignedCert } from './tls-cert.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const env = process.env
const devnetOn = (env.HANDOVER_DEVNET ?? '1') !== '0'
const devnetFile = env.HANDOVER_DEVNET_FILE ?? resolve(root, 'data/devnet.sqlite')
if (devnetOn && devnetFile !== ':memory:') mkdirSync(dirname(devnetFile), { recursive: true })

// HTTPS=1: a fresh self-signed certificate and, unless HOST says otherwise, every interface,
// so phones on the same Wi-Fi can open it in a secure context (camera and WebCrypto need one).
const https = env.HTTPS === '1' || env.HTTPS === 'true'
const host = env.HOST ?? (https ? '0.0.0.0' : '127.0.0.1')
const port = Number(env.PORT ?? 8787)
const signallingOn = (env.HANDOVER_SIGNALLING ?? '1') !== '0'
// TURN: an external coturn (HANDOVER_TURN_SECRET + HANDOVER_TURN_URLS), or one we start here.
const turn = signallingOn ? await startLocalTurn(env, host) : undefined
const tls = https ? await selfSignedCert(lanAddresses()) : undefined
const running = await startAppServer({
  host,
  port,
  staticDir: env.HANDOVER_STATIC_DIR ?? resolve(root, 'dist'),
  devnetFile: devnetOn ? devnetFile : undefined,
  blockIntervalMs: Number(env.HANDOVER_BLOCK_INTERVAL_MS ?? 30_000),
  // WhatsOnChain's ~3 requests/s without a key, when set (e.g. HANDOVER_DEVNET_CHAIN_RPS=3).
  devnetRateLimit: rateLimitFromEnv(env),
  devnetArc: { seenDelayMs: Number(env.HANDOVER_DEVNET_ARC_SEEN_DELAY_MS ?? 0) },
  // Signalling for one-scan invites and the encrypted relay; REDIS_URL shares rooms across instances.
  ...(turn !== undefined ? { ice: turn.ice } : {}),
  signalling: signallingOn ? { redisUrl: env.REDIS_URL, trustProxy: trustProxyHops(env.TRUST_PROXY) } : undefined,
  connectSrc: [...DEFAULT_CONNECT_SRC, ...(env.HANDOVER_CONNECT_SRC ?? '').split(/\s+/).filter(Boolean)],
  tls
}).catch((err: unknown) => {
  void turn?.close()
  const message = listenErrorMessage(err, host, port)
  if (message === undefined) throw err
  console.error(message)
  process.exit(1)
})
console.log(`Handover is running at ${running.url.replace('//0.0.0.0:', '//localhost:')}/`)
if (tls !== undefined) for (const line of httpsBanner(new URL(running.url).port, host, lanAddresses(), tls.fingerprint)) console.log(line)
if ((env.HANDOVER_SIGNALLING ?? '1') !== '0') console.log(`Signalling at ${running.url.replace(/^http/, 'ws')}/signal${env.REDIS_URL !== undefined ? ' (shared through Redis)' : ''}`)
if (turn !== undefined) console.log(turn.describe)
if (running.devnet !== undefined) console.log(`Devnet API at ${running.url}/devnet (height ${await running.devnet.height()})`)
const stop = (): void => { void Promise.all([running.close(), turn?.close()]).then(() => process.exit(0)) }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
