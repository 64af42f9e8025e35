// One process for `npm start`: the built app, the devnet API, and (when enabled) signalling.
import { createServer, type RequestListener, type Server } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { Devnet } from './devnet/chain.ts'
import { DevnetHttp } from './devnet/http.ts'
import type { RateLimitOptions } from './devnet/rate-limit.ts'
import { serveStatic } from './static.ts'
import { attachSignalling, clientAddress, type SignallingOptions } from './signal/index.ts'
import { iceHandler, type IceConfig } from './turn.ts'

export interface AppServerOptions {
  host: string
  port: number
  /** Folder with the built app; omit to serve no app. */
  staticDir?: string
  /** Devnet SQLite file (':memory:' for tests); omit for no devnet. */
  devnetFile?: string
  /** Unix seconds: a fresh devnet chain's first blocks are dated from here (see DevnetOptions). */
  devnetFirstBlockTime?: number
  /** Mine a block this often (ms); 0 mines only on demand. */
  blockIntervalMs?: number
  /** Extra origins the app may connect to (CSP connect-src). */
  connectSrc?: string[]
  /** Mount the signalling WebSocket (default path '/signal'); omit for none. */
  signalling?: SignallingOptions
  /** WhatsOnChain-like request limit on /devnet/chain/* (env HANDOVER_DEVNET_CHAIN_RPS); omit for none. */
  devnetRateLimit?: RateLimitOptions
  /** How long an accepted tx reads STORED / ANNOUNCED_TO_NETWORK before SEEN_ON_NETWORK (ms). */
  devnetArc?: { announceDelayMs?: number, seenDelayMs?: number }
  /** STUN/TURN list (with fresh TURN credentials) at GET <signalling path>/ice; needs `signalling`. */
  ice?: IceConfig
  /** Serve HTTPS (and WSS signalling) with this key and certificate (PEM), e.g. for phones on the LAN. */
  tls?: { key: string, cert: string }
}

export interface RunningServer {
  server: Server
  url: string
  devnet?: Devnet
  devnetHttp?: DevnetHttp
  close: () => Promise<void>
}

export const DEVNET_BASE = '/devnet'

/** The app's default miners and chain data (see src/app/settings.ts); CSP allows nothing else. */
export const DEFAULT_CONNECT_SRC = ['https://arc.gorillapool.io', 'https://testnet.arc.gorillapool.io', 'https://api.whatsonchain.com']

export async function startAppServer (opts: AppServerOptions): Promise<RunningServer> {
  const devnet = opts.devnetFile !== undefined ? await Devnet.open({ file: opts.devnetFile, ...(opts.devnetFirstBlockTime !== undefined ? { firstBlockTime: opts.devnetFirstBlockTime } : {}) }) : undefined
  if (devnet !== undefined && (opts.blockIntervalMs ?? 0) > 0) devnet.startMining(opts.blockIntervalMs!)
  if (devnet !== undefined) {
    devnet.timing.announceDelayMs = opts.devnetArc?.announceDelayMs ?? 0
    devnet.timing.seenDelayMs = opts.devnetArc?.seenDelayMs ?? 0
  }
  const devnetHttp = devnet !== undefined ? new DevnetHttp(devnet, DEVNET_BASE, { rateLimit: opts.devnetRateLimit }) : undefined
  const connectSrc = opts.connectSrc ?? []
  const trust = opts.signalling?.trustProxy
  const hops = trust === true ? 1 : typeof trust === 'number' ? trust : 0
  const ice = opts.ice !== undefined && opts.signalling !== undefined
    ? iceHandler(opts.ice, { path: opts.signalling.path ?? '/signal', clientIp: req => clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], hops) })
    : undefined
  const handler: RequestListener = (req, res) => {
    // A request must never take the process down (issue 9.4): errors on the request or
    // response streams are answered or dropped here, and every handler runs inside a catch.
    req.on('error', () => { res.destroy() })
    res.on('error', () => undefined)
    void (async () => {
      if (ice?.(req, res) === true) return
      if (devnetHttp !== undefined && await devnetHttp.handle(req, res)) return
      if (opts.staticDir !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
        await serveStatic(opts.staticDir, connectSrc, req, res)
        return
      }
      res.writeHead(404); res.end()
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('internal error')
    })
  }
  const server: Server = opts.tls !== undefined ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createServer(handler)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => resolve())
  })
  const signalling = opts.signalling !== undefined ? attachSignalling(server, opts.signalling) : undefined
  await signalling?.ready
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    server,
    url: `${opts.tls !== undefined ? 'https' : 'http'}://${host}:${addr.port}`,
    devnet,
    devnetHttp,
    close: async () => {
      await signalling?.close()
      // Stop accepting first, then drop open connections, and only then close the chain:
      // a request must never reach a half-closed devnet and get a verdict from it.
      const closed = new Promise<void>(resolve => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
      await devnet?.close()
    }
  }
}
