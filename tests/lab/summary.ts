// Lab results → benchmark lines, the per-cell table, and the checks the lab enforces.
import type { Condition, Mode } from './conditions.ts'
import type { Attempt } from './lab.ts'

export interface Metric { metric: string, value: number | string, unit: string }

/** The bound: a failure tells both people what happened within this long. */
export const EXPLAIN_LIMIT_MS = 5000

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2)
}

/** When both phones had explained a failed attempt (the later of the two); the cap when one never did. */
export function explainMs (r: Attempt, capMs: number): number {
  const { payee, payer } = r.explained ?? {}
  return payee === undefined || payer === undefined ? capMs : Math.max(payee.ms, payer.ms)
}

interface Cell { c: Condition, mode: Mode, runs: Attempt[] }

function cells (results: Attempt[], conditions: Condition[]): Cell[] {
  const out: Cell[] = []
  for (const c of conditions) {
    for (const mode of ['invite', 'qr'] as Mode[]) {
      const runs = results.filter(r => r.condition === c.name && r.mode === mode)
      if (runs.length > 0) out.push({ c, mode, runs })
    }
  }
  return out
}

/** Every path the connected runs of a cell settled on, e.g. 'direct' or 'direct+turn'. */
function paths (runs: Attempt[]): string {
  return [...new Set(runs.filter(r => r.ok).map(r => r.path ?? '?'))].sort().join('+')
}

export function summarise (results: Attempt[], conditions: Condition[], capMs = 15_000): Metric[] {
  const out: Metric[] = []
  let withPath = 0; let connected = 0
  for (const { c, mode, runs } of cells(results, conditions)) {
    const id = `${c.name}_${mode}`
    const ok = runs.filter(r => r.ok)
    if (ok.length > 0) {
      out.push({ metric: `connect_ms_${id}`, value: median(ok.map(r => r.ms)), unit: 'ms' })
      out.push({ metric: `path_${id}`, value: paths(runs), unit: 'path' })
    }
    out.push({ metric: `connect_ok_pct_${id}`, value: Math.round(ok.length / runs.length * 100), unit: '%' })
    const failed = runs.filter(r => !r.ok)
    if (failed.length > 0) {
      out.push({ metric: `fail_ms_${id}`, value: median(failed.map(r => r.ms)), unit: 'ms' })
      out.push({ metric: `explain_ms_${id}`, value: median(failed.map(r => explainMs(r, capMs))), unit: 'ms' })
    }
    if (c.hasPath.includes(mode)) { withPath += runs.length; connected += ok.length }
  }
  if (withPath > 0) out.push({ metric: 'connect_success_pct', value: Math.round(connected / withPath * 1000) / 10, unit: '%' })
  return out
}

/**
 * What the lab holds the app to, one line per broken promise: where a path exists the
 * phones connect; where none exists, both screens explain within EXPLAIN_LIMIT_MS.
 */
export function labProblems (results: Attempt[], conditions: Condition[], capMs = 15_000): string[] {
  const out: string[] = []
  for (const { c, mode, runs } of cells(results, conditions)) {
    for (const r of runs) {
      const where = `${c.name} ${mode} #${r.run}`
      if (c.hasPath.includes(mode)) {
        if (!r.ok) out.push(`${where}: did not connect although a path exists (${r.error ?? ''})`)
        continue
      }
      if (r.ok) continue
      const e = r.explained ?? {}
      for (const side of ['payee', 'payer'] as const) {
        const x = e[side]
        if (x === undefined) out.push(`${where}: the ${side}'s screen explained nothing within ${capMs} ms`)
        else if (x.ms > EXPLAIN_LIMIT_MS) out.push(`${where}: the ${side}'s screen explained only after ${x.ms} ms (limit ${EXPLAIN_LIMIT_MS} ms)`)
      }
    }
  }
  return out
}

/** A table for people: one line per condition × mode. */
export function table (results: Attempt[], conditions: Condition[], capMs = 15_000): string[] {
  const lines = ['condition     mode    connected  connect_ms  path          explain_ms (no-path cells: both screens)']
  for (const { c, mode, runs } of cells(results, conditions)) {
    const ok = runs.filter(r => r.ok); const failed = runs.filter(r => !r.ok)
    lines.push([
      c.name.padEnd(13), mode.padEnd(7), `${ok.length}/${runs.length}`.padEnd(10),
      (ok.length > 0 ? String(median(ok.map(r => r.ms))) : '-').padEnd(11),
      (ok.length > 0 ? paths(runs) : '-').padEnd(13),
      failed.length > 0 ? `${median(failed.map(r => explainMs(r, capMs)))}${c.hasPath.includes(mode) ? '' : ' (no path)'}` : '-'
    ].join(' '))
  }
  return lines
}
