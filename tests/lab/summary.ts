// Lab results → benchmark lines.
import type { Condition, Mode } from './conditions.ts'
import type { Attempt } from './lab.ts'

export interface Metric { metric: string, value: number, unit: string }

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2)
}

export function summarise (results: Attempt[], conditions: Condition[]): Metric[] {
  const out: Metric[] = []
  let withPath = 0; let connected = 0
  for (const c of conditions) {
    for (const mode of ['invite', 'qr'] as Mode[]) {
      const cell = results.filter(r => r.condition === c.name && r.mode === mode)
      if (cell.length === 0) continue
      const ok = cell.filter(r => r.ok)
      if (ok.length > 0) out.push({ metric: `connect_ms_${c.name}_${mode}`, value: median(ok.map(r => r.ms)), unit: 'ms' })
      out.push({ metric: `connect_ok_pct_${c.name}_${mode}`, value: Math.round(ok.length / cell.length * 100), unit: '%' })
      const failed = cell.filter(r => !r.ok)
      if (failed.length > 0) out.push({ metric: `fail_ms_${c.name}_${mode}`, value: median(failed.map(r => r.ms)), unit: 'ms' })
      if (c.hasPath.includes(mode)) { withPath += cell.length; connected += ok.length }
    }
  }
  if (withPath > 0) out.push({ metric: 'connect_success_pct', value: Math.round(connected / withPath * 1000) / 10, unit: '%' })
  return out
}
