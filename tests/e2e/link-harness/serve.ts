// Builds the harness page with Vite (production build, like the real app) and
// serves it plus the signalling service from one loopback HTTP server.
import { createServer, type Server } from 'node:http'
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { build } from 'vite'
import { attachSignalling, type SignallingHandle, type SignallingOptions } from '../../../server/signal/index.ts'

const here = dirname(fileURLToPath(import.meta.url))

export async function buildHarness (): Promise<{ dir: string, cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'link-harness-'))
  await build({
    root: here,
    configFile: false,
    logLevel: 'warn',
    base: './',
    build: { outDir: dir, emptyOutDir: true, target: 'es2022', minify: false }
  })
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.wasm': 'application/wasm' }

export interface HarnessServer { url: string, signalUrl: string, server: Server, signalling: SignallingHandle, close: () => Promise<void> }

export async function serveHarness (dir: string, signalling: SignallingOptions = {}): Promise<HarnessServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const file = resolve(dir, '.' + (path === '/' ? '/index.html' : path))
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404); res.end(); return }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    res.end(readFileSync(file))
  })
  const handle = attachSignalling(server, signalling)
  await handle.ready
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    signalUrl: `ws://127.0.0.1:${port}/signal`,
    server,
    signalling: handle,
    close: async () => {
      await handle.close()
      server.closeAllConnections()
      await new Promise<void>(r => server.close(() => r()))
    }
  }
}
