// Serves the built app with the headers a wallet needs: a strict CSP, no framing,
// and caching that never pins an old service worker or index.html.
// Compressed copies made at build time (build/precompress.ts) go to browsers that accept them:
// brotli, else gzip, else the file itself.
import { createReadStream, type Stats } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import Negotiator from 'negotiator'

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

/** Content codings we have files for, best first; the file ending of each copy. */
const CODINGS: Record<string, string> = { br: '.br', gzip: '.gz' }
const OFFERED = ['br', 'gzip', 'identity']
// negotiator 1.x takes our order as the tie-break between codings the client rates equally
// (Chromium sends "gzip, deflate, br, zstd", all q=1); @types/negotiator still describes 0.6.
type Encodings = (available: readonly string[], options: { preferred: readonly string[] }) => string[]

/** The best copy of `path` this request accepts: a q=0 coding is never sent; no header means identity. */
async function pickCoding (req: IncomingMessage, path: string, info: Stats): Promise<{ path: string, info: Stats, coding?: string }> {
  const negotiator = new Negotiator(req)
  const accepted = (negotiator.encodings.bind(negotiator) as unknown as Encodings)(OFFERED, { preferred: OFFERED })
  for (const coding of accepted) {
    const ext = CODINGS[coding]
    if (ext === undefined) break // identity: the file itself
    const copy = await stat(path + ext).catch(() => undefined)
    if (copy?.isFile() === true) return { path: path + ext, info: copy, coding }
  }
  return { path, info }
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
  // Vite puts a content hash in every name under /assets/: such a file never changes, so a
  // browser may keep it a year without asking. Everything else (index.html, sw.js, the
  // manifest, icons) is revalidated on each use, so an update is never pinned by a cache.
  const immutable = rel.startsWith('/assets/')
  const chosen = await pickCoding(req, path, info)
  // A validator per copy: a no-cache revalidation costs a 304, not the file again.
  const etag = `"${chosen.info.size.toString(16)}-${Math.floor(chosen.info.mtimeMs).toString(16)}${chosen.coding !== undefined ? '-' + chosen.coding : ''}"`
  const headers: Record<string, string> = {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    // Any cache between us and the browser must keep one copy per Accept-Encoding.
    vary: 'Accept-Encoding',
    etag,
    ...securityHeaders(connectSrc)
  }
  if (chosen.coding !== undefined) headers['content-encoding'] = chosen.coding
  if (req.headers['if-none-match']?.split(',').some(t => t.trim().replace(/^W\//, '') === etag) === true) {
    res.writeHead(304, headers); res.end(); return
  }
  res.writeHead(200, { ...headers, 'content-length': String(chosen.info.size) })
  if (req.method === 'HEAD') { res.end(); return }
  // pipeline: a read error (file replaced by a rebuild mid-request) ends this response
  // instead of surfacing as an unhandled 'error' event that kills the process.
  await pipeline(createReadStream(chosen.path), res).catch(() => { res.destroy() })
}
