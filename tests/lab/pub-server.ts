// The lab's "internet" host, run inside the public namespace: serves the lab phone page,
// the signalling service with GET /signal/ice, and coturn (TURN REST credentials) on 3478.
// Env: LAB_PAGE_DIR (built page), LAB_PORT. Prints one line "ready <port>" when all is up.
import { createServer } from 'node:http'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { attachSignalling } from '../../server/signal/index.ts'
import { iceConfigFromEnv, iceHandler, startCoturn } from '../../server/turn.ts'

const dir = process.env.LAB_PAGE_DIR!
const port = Number(process.env.LAB_PORT ?? 8080)
const secret = randomBytes(18).toString('base64url')
// Peers 'public': the relay refuses the phones' private LAN addresses, as a deployed TURN must.
const turn = await startCoturn({ secret, port: 3478, peers: 'public', minPort: 50000, maxPort: 50999 })
const ice = iceHandler(iceConfigFromEnv({}, { secret, port: turn.port }), { path: '/signal', perMinute: 10_000 })
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' }
const server = createServer((req, res) => {
  if (ice(req, res)) return
  const path = new URL(req.url ?? '/', 'http://x').pathname
  const file = resolve(dir, '.' + (path === '/' ? '/index.html' : path))
  if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404); res.end(); return }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
  res.end(readFileSync(file))
})
const signalling = attachSignalling(server, { roomOpsPerMinute: 10_000, maxSocketsPerIp: 10_000 })
await signalling.ready
await new Promise<void>(r => server.listen(port, '::', () => r()))
console.log(`ready ${port}`)
const stop = (): void => { void Promise.all([signalling.close(), turn.close()]).then(() => process.exit(0)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
// The lab holds our stdin: when it goes (even killed), we go.
process.stdin.on('end', stop)
process.stdin.resume()
