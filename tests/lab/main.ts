// `npm run lab` (root; needs iproute2, iptables, coturn, chromium): every condition × both
// pairing modes, 3 runs each. Prints a human log on stderr and JSON lines on stdout:
//   {"metric":"connect_ms_<condition>_<mode>","value":N,"unit":"ms"}  median of the connected runs
//   {"metric":"connect_ok_pct_<condition>_<mode>","value":N,"unit":"%"}
//   {"metric":"path_<condition>_<mode>","value":"direct","unit":"path"}  what the app reports: direct, turn or relay (+ joins mixed)
//   {"metric":"fail_ms_<condition>_<mode>","value":N,"unit":"ms"}       median time to a failure (cells with failures)
//   {"metric":"explain_ms_<condition>_<mode>","value":N,"unit":"ms"}    median time until BOTH screens explained a failure
//   {"metric":"connect_success_pct","value":N,"unit":"%"}               over the cells that have a path
// Then a table on stderr; exits 1 when a cell with a path failed or a failure went
// unexplained on either screen for more than 5 s.
// Options: --only same_lan,two_nats  --modes invite,qr  --runs 3  --cap-ms 15000
import { CONDITIONS, type Mode } from './conditions.ts'
import { runLab } from './lab.ts'
import { labPrerequisites } from './net.ts'
import { labProblems, summarise, table } from './summary.ts'

const args = process.argv.slice(2)
const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined }
const missing = labPrerequisites()
if (missing !== undefined) { console.error(`npm run lab: ${missing}.`); process.exit(2) }
const t0 = Date.now()
const capMs = Number(opt('--cap-ms') ?? 15_000)
const results = await runLab({
  ...(opt('--only') !== undefined ? { conditions: opt('--only')!.split(',') } : {}),
  ...(opt('--modes') !== undefined ? { modes: opt('--modes')!.split(',') as Mode[] } : {}),
  runs: Number(opt('--runs') ?? 3),
  capMs
})
for (const line of summarise(results, CONDITIONS, capMs)) console.log(JSON.stringify(line))
console.error(['', ...table(results, CONDITIONS, capMs)].join('\n'))
console.error(`lab done in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
// The lab is a test too: a cell with a path that did not connect, or a failure that left
// a screen without an explanation for more than 5 s, fails the run.
const problems = labProblems(results, CONDITIONS, capMs)
for (const p of problems) console.error(`PROBLEM ${p}`)
process.exit(problems.length > 0 ? 1 : 0)
