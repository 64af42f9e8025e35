// Serves the built app with the headers a wallet needs: a strict CSP, no framing,
// and caching that never pins an old service worker or index.html.
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm'
}

export function securityHeaders (connectSrc: string[]): Record<string, string> {
  const csp = [
    "default-src 'self'",
    // 'wasm-unsafe-eval' lets our own .wasm (the QR decoder) compile; it allows no eval of JS.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self' ${connectSrc.join(' ')}`.trim(),
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'"
  ].join('; ')
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(self), microphone=(), geolocation=()'
  }
}

export async function serveStatic (root: string, connectSrc: string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  let rel: string
  try {
    rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  } catch {
    // "/%" and other malformed escapes or URLs: the client's mistake, not ours.
    res.writeHead(400, { 'content-type': 'text/plain' }); res.end('bad request'); return
  }
  if (rel.includes('\0')) { res.writeHead(400, { 'content-type': 'text/plain' }); res.end('bad request'); return }
  if (rel.endsWith('/')) rel += 'index.html'
  const file = normalize(join(root, rel))
  if (!file.startsWith(normalize(root) + sep)) { res.writeHead(403); res.end(); return }
  let path = file
  let info = await stat(path).catch(() => undefined)
  // Single-page app: unknown paths without an extension get index.html.
  if (info == null && extname(rel) === '') { path = join(root, 'index.html'); info = await stat(path).catch(() => undefined) }
  if (info == null || !info.isFile()) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return }
  const immutable = rel.startsWith('/assets/')
  res.writeHead(200, {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': String(info.size),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...securityHeaders(connectSrc)
  })
  if (req.method === 'HEAD') { res.end(); return }
  // pipeline: a read error (file replaced by a rebuild mid-request) ends this response
  // instead of surfacing as an unhandled 'error' event that kills the process.
  await pipeline(createReadStream(path), res).catch(() => { res.destroy() })
}
