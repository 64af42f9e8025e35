// Issue 12: the entry chunk (and only it) starts with V8's explicit compile hint, as its very
// first line: anywhere else V8 ignores it, and then the slow phone compiles the first screen's
// code lazily on the main thread again. A real Vite build of a two-chunk app with our plugin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { COMPILE_HINT, compileHints } from '../../build/compile-hints.ts'

let root = ''
const files: Record<string, string> = {}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'handover-hints-'))
  writeFileSync(join(root, 'index.html'), '<!doctype html><html><body><script type="module" src="/main.js"></script></body></html>')
  // A dynamic import makes Vite add its preload helper line at the top of the entry.
  writeFileSync(join(root, 'main.js'), "/* a comment the minifier drops */\ndocument.body.dataset.ready = 'yes'\nexport const later = () => import('./later.js')\nlater()\n")
  writeFileSync(join(root, 'later.js'), 'export const n = 42\n')
  await build({ root, configFile: false, logLevel: 'silent', plugins: [compileHints()], build: { outDir: join(root, 'dist'), emptyOutDir: true, target: 'es2022' } })
  for (const f of readdirSync(join(root, 'dist', 'assets'))) files[f] = readFileSync(join(root, 'dist', 'assets', f), 'utf8')
}, 60_000)

afterAll(() => { rmSync(root, { recursive: true, force: true }) })

describe('compile hints', () => {
  it('puts the hint on the first line of the entry chunk only', () => {
    const entry = Object.entries(files).filter(([name]) => name.startsWith('main-') || name.startsWith('index-'))
    const lazy = Object.entries(files).filter(([name]) => name.startsWith('later-'))
    expect(entry).toHaveLength(1)
    expect(lazy).toHaveLength(1)
    expect(entry[0]![1].startsWith(COMPILE_HINT)).toBe(true)
    expect(entry[0]![1].indexOf('allFunctionsCalledOnLoad', COMPILE_HINT.length)).toBe(-1)
    expect(lazy[0]![1]).not.toContain('allFunctionsCalledOnLoad')
  })
})
