// Writes a brotli (.br) and a gzip (.gz) copy next to every text file of the finished build, at
// the highest levels: too slow to do per request, free to do once. server/static.ts (and the
// nginx / Caddy setups in the README) pick one by the browser's Accept-Encoding.
// Our own ~30 lines rather than vite-plugin-compression2: that plugin compresses only Rollup's
// bundle and the public folder, so it misses sw.js and the Workbox runtime that vite-plugin-pwa
// writes after the bundle. This runs last (closeBundle, order 'post') over the whole folder.
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { Plugin, ResolvedConfig } from 'vite'

const br = promisify(brotliCompress)
const gz = promisify(gzip)

/** Files worth compressing; images (png) and the compressed copies themselves are not. */
export const COMPRESSIBLE = /\.(?:html|js|mjs|css|svg|json|webmanifest|wasm|txt|map)$/

export async function precompressDir (dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  for (const e of entries) {
    if (!e.isFile() || !COMPRESSIBLE.test(e.name)) continue
    const path = join(e.parentPath, e.name)
    const raw = await readFile(path)
    const [b, g] = await Promise.all([
      br(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
      gz(raw, { level: 9 })
    ])
    // A copy no smaller than the file would only cost the server a stat and the client nothing.
    if (b.length < raw.length) await writeFile(path + '.br', b)
    if (g.length < raw.length) await writeFile(path + '.gz', g)
  }
}

export function precompress (): Plugin {
  let config: ResolvedConfig
  return {
    name: 'handover:precompress',
    apply: 'build',
    configResolved (c) { config = c },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler () { await precompressDir(config.build.outDir.startsWith('/') ? config.build.outDir : join(config.root, config.build.outDir)) }
    }
  }
}
