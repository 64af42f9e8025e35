// Issue 12.1: a phone on a slow network gets the build's brotli or gzip copy of each file,
// chosen by its Accept-Encoding, with headers that let caches do the right thing: a hashed
// asset is kept for a year, index.html / the service worker / the manifest are revalidated on
// every use so an update is never pinned. Real server on loopback; the copies are made by the
// same code the Vite build runs (build/precompress.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { startAppServer, type RunningServer } from '../../server/app-server.ts'
import { precompressDir } from '../../build/precompress.ts'

let dir = ''
let srv: RunningServer
// Big and repetitive enough that both copies are much smaller than the file.
const JS = 'export const words = [' + Array.from({ length: 2000 }, (_, i) => `"word${i}"`).join(',') + ']\n'
const HTML = '<!doctype html><html><head><title>Handover</title></head><body><div id="app"><h1>Handover</h1></div></body></html>'

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: Buffer }

async function get (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const url = new URL(path, srv.url)
  return await new Promise((resolve, reject) => {
    // node:http, not fetch: fetch would undo the content coding we want to look at.
    const req = request(url, { method, headers }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

const CHROMIUM = 'gzip, deflate, br, zstd'

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handover-static-'))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), HTML)
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("install", () => self.skipWaiting()) // ' + 'x'.repeat(500))
  writeFileSync(join(dir, 'manifest.webmanifest'), JSON.stringify({ name: 'Handover', short_name: 'Handover', description: 'x'.repeat(300) }))
  writeFileSync(join(dir, 'assets', 'index-AbCd1234.js'), JS)
  writeFileSync(join(dir, 'assets', 'tiny-AbCd1234.js'), 'x') // compression would only make it bigger
  writeFileSync(join(dir, 'icon-192.png'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))
  await precompressDir(dir)
  srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: dir })
})

afterAll(async () => {
  await srv?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('compressed copies by Accept-Encoding', () => {
  it('the build writes a brotli and a gzip copy of text files, smaller than the file, and none for images or where it would not shrink', () => {
    const raw = readFileSync(join(dir, 'assets', 'index-AbCd1234.js'))
    const br = readFileSync(join(dir, 'assets', 'index-AbCd1234.js.br'))
    const gz = readFileSync(join(dir, 'assets', 'index-AbCd1234.js.gz'))
    expect(brotliDecompressSync(br).equals(raw)).toBe(true)
    expect(gunzipSync(gz).equals(raw)).toBe(true)
    expect(br.length).toBeLessThan(gz.length)
    expect(gz.length).toBeLessThan(raw.length / 3)
    expect(() => readFileSync(join(dir, 'icon-192.png.br'))).toThrow()
    expect(() => readFileSync(join(dir, 'assets', 'tiny-AbCd1234.js.br'))).toThrow()
  })

  it("Chromium's header (gzip, deflate, br, zstd; all equal) gets brotli, with the copy's length and the file's type", async () => {
    const a = await get('/assets/index-AbCd1234.js', { 'accept-encoding': CHROMIUM })
    expect(a.status).toBe(200)
    expect(a.headers['content-encoding']).toBe('br')
    expect(a.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(Number(a.headers['content-length'])).toBe(a.body.length)
    expect(a.body.length).toBeLessThan(JS.length / 3)
    expect(brotliDecompressSync(a.body).toString()).toBe(JS)
    expect(a.headers.vary).toMatch(/accept-encoding/i)
  })

  it('a browser without brotli (plain HTTP in some engines) gets gzip', async () => {
    const a = await get('/assets/index-AbCd1234.js', { 'accept-encoding': 'gzip, deflate' })
    expect(a.headers['content-encoding']).toBe('gzip')
    expect(Number(a.headers['content-length'])).toBe(a.body.length)
    expect(gunzipSync(a.body).toString()).toBe(JS)
  })

  it("the client's q-values win: br;q=0 is never sent, a higher-rated gzip beats brotli", async () => {
    expect((await get('/assets/index-AbCd1234.js', { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe('gzip')
    expect((await get('/assets/index-AbCd1234.js', { 'accept-encoding': 'br;q=0.5, gzip;q=0.9' })).headers['content-encoding']).toBe('gzip')
    expect((await get('/assets/index-AbCd1234.js', { 'accept-encoding': 'gzip;q=0.5, br;q=0.8' })).headers['content-encoding']).toBe('br')
    expect((await get('/assets/index-AbCd1234.js', { 'accept-encoding': '*' })).headers['content-encoding']).toBe('br')
  })

  it('no Accept-Encoding, identity only, or codings we do not have: the file itself, uncompressed', async () => {
    const cases: Array<Record<string, string>> = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'zstd, deflate' }, { 'accept-encoding': 'br;q=0, gzip;q=0' }]
    for (const h of cases) {
      const a = await get('/assets/index-AbCd1234.js', h)
      expect(a.status).toBe(200)
      expect(a.headers['content-encoding']).toBeUndefined()
      expect(a.body.toString()).toBe(JS)
      expect(Number(a.headers['content-length'])).toBe(JS.length)
      expect(a.headers.vary).toMatch(/accept-encoding/i)
    }
  })

  it('a file without a smaller copy, or an image, goes out as it is even to a brotli client', async () => {
    const tiny = await get('/assets/tiny-AbCd1234.js', { 'accept-encoding': CHROMIUM })
    expect(tiny.headers['content-encoding']).toBeUndefined()
    expect(tiny.body.toString()).toBe('x')
    const png = await get('/icon-192.png', { 'accept-encoding': CHROMIUM })
    expect(png.headers['content-encoding']).toBeUndefined()
    expect(png.headers['content-type']).toBe('image/png')
  })

  it('HEAD gives the same headers as GET (the copy the GET would send) and no body', async () => {
    const g = await get('/assets/index-AbCd1234.js', { 'accept-encoding': CHROMIUM })
    const h = await get('/assets/index-AbCd1234.js', { 'accept-encoding': CHROMIUM }, 'HEAD')
    expect(h.status).toBe(200)
    expect(h.body.length).toBe(0)
    expect(h.headers['content-encoding']).toBe('br')
    expect(h.headers['content-length']).toBe(g.headers['content-length'])
    expect(h.headers.etag).toBe(g.headers.etag)
  })
})

describe('caching', () => {
  it('hashed assets are kept a year and never revalidated (immutable)', async () => {
    const a = await get('/assets/index-AbCd1234.js', { 'accept-encoding': CHROMIUM })
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable')
  })

  it('index.html, the service worker and the manifest are revalidated on every use, and still compressed', async () => {
    for (const [path, type] of [['/', 'text/html; charset=utf-8'], ['/index.html', 'text/html; charset=utf-8'], ['/sw.js', 'text/javascript; charset=utf-8'], ['/manifest.webmanifest', 'application/manifest+json']] as const) {
      const a = await get(path, { 'accept-encoding': CHROMIUM })
      expect(a.status, path).toBe(200)
      expect(a.headers['cache-control'], path).toBe('no-cache')
      expect(a.headers['content-type'], path).toBe(type)
      expect(a.headers['content-encoding'], path).toBe('br')
    }
    const html = await get('/', { 'accept-encoding': 'gzip' })
    expect(gunzipSync(html.body).toString()).toBe(HTML)
    expect(html.headers['content-security-policy']).toContain("script-src 'self'")
  })

  it('an app route (no file) gets index.html, compressed and not cached', async () => {
    const a = await get('/pay', { 'accept-encoding': CHROMIUM })
    expect(a.status).toBe(200)
    expect(a.headers['cache-control']).toBe('no-cache')
    expect(brotliDecompressSync(a.body).toString()).toBe(HTML)
  })

  it('revalidating an unchanged file costs a 304 without a body; each copy has its own validator', async () => {
    const br = await get('/index.html', { 'accept-encoding': CHROMIUM })
    const gz = await get('/index.html', { 'accept-encoding': 'gzip' })
    expect(br.headers.etag).toBeDefined()
    expect(br.headers.etag).not.toBe(gz.headers.etag)
    const again = await get('/index.html', { 'accept-encoding': CHROMIUM, 'if-none-match': String(br.headers.etag) })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    expect(again.headers['cache-control']).toBe('no-cache')
    // The gzip copy's validator does not match the brotli copy: the browser gets the bytes.
    const other = await get('/index.html', { 'accept-encoding': CHROMIUM, 'if-none-match': String(gz.headers.etag) })
    expect(other.status).toBe(200)
    expect(brotliDecompressSync(other.body).toString()).toBe(HTML)
  })
})
