// The devnet's fault API (DEVNET-CONTRACT.md): a test makes the next N matching requests
// answer a given way, either instead of processing them (apply: false) or after processing
// them as usual (apply: true), to drive clients through answers the real services give.
import { randomUUID } from 'node:crypto'
import * as v from 'valibot'
import type { Reply } from './reply.ts'

export const FaultSpec = v.object({
  route: v.picklist(['arc-submit', 'arc-status', 'chain']),
  count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)), 1),
  apply: v.optional(v.boolean(), false),
  response: v.object({
    status: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599)),
    headers: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/)), v.pipe(v.string(), v.maxLength(1024), v.regex(/^[^\r\n]*$/)))),
    body: v.optional(v.unknown())
  })
})
export type FaultSpec = v.InferOutput<typeof FaultSpec>
export type FaultRoute = FaultSpec['route']

interface Fault extends FaultSpec { id: string, remaining: number }

const MAX_PENDING = 1000

/** Replaces every string "{txid}" inside a JSON value. */
function withTxid (body: unknown, txid: string, depth = 0): unknown {
  if (depth > 32) return body
  if (typeof body === 'string') return body.split('{txid}').join(txid)
  if (Array.isArray(body)) return body.map(b => withTxid(b, txid, depth + 1))
  if (typeof body === 'object' && body !== null) return Object.fromEntries(Object.entries(body).map(([k, b]) => [k, withTxid(b, txid, depth + 1)]))
  return body
}

export class Faults {
  private pending: Fault[] = []

  add (spec: FaultSpec): string {
    if (this.pending.length >= MAX_PENDING) throw new RangeError(`more than ${MAX_PENDING} pending faults`)
    const id = randomUUID()
    this.pending.push({ ...spec, id, remaining: spec.count })
    return id
  }

  clear (): number {
    const n = this.pending.length
    this.pending = []
    return n
  }

  /** The next fault for this route (consumed), or undefined. */
  take (route: FaultRoute): Fault | undefined {
    const f = this.pending.find(p => p.route === route)
    if (f === undefined) return undefined
    f.remaining--
    if (f.remaining <= 0) this.pending = this.pending.filter(p => p !== f)
    return f
  }

  static reply (fault: Fault, txid: string): Reply {
    const body = withTxid(fault.response.body, txid)
    const headers = fault.response.headers ?? {}
    return typeof body === 'string' ? { status: fault.response.status, text: body, headers } : { status: fault.response.status, body, headers }
  }
}
