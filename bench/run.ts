// `npm run bench`: runs every benchmark file in its own process; each prints JSON lines.
import { readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(here).filter(f => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).sort()
let failed = 0
for (const f of files) {
  if (only.length > 0 && !only.some(o => f.includes(o))) continue
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, f)], { stdio: ['ignore', 'inherit', 'inherit'] })
  if (r.status !== 0) { failed++; console.error(`bench ${f} failed (${r.status})`) }
}
process.exit(failed === 0 ? 0 : 1)
