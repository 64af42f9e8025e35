// ARC client (broadcast, status, policy). Bodies are BEEF V1 so a miner can check
// unconfirmed ancestors too. The client only reports what ARC said (validated); what it
// means is decided by the one table in core/arc-status.ts.
import * as v from 'valibot'
import { Utils } from '@bsv/sdk'
import type { ArcAnswer } from '../core/arc-status.ts'
import { hostOf, NetworkDown, request } from './http.ts'
import { withDetail } from '../core/plain-detail.ts'

const Hex64 = v.pipe(v.string(), v.regex(/^[0-9a-fA-F]{64}$/))
const Text = v.optional(v.nullable(v.pipe(v.string(), v.maxLength(4000))))

/** TransactionResponse / TransactionStatus (arc.yaml). */
const TxResponse = v.object({
  txid: Hex64,
  txStatus: v.pipe(v.string(), v.maxLength(64)),
  blockHeight: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)))),
  merklePath: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^([0-9a-f]{2})*$/i), v.maxLength(200_000)))),
  extraInfo: Text,
  competingTxs: v.optional(v.nullable(v.pipe(v.array(Hex64), v.maxLength(100))))
})

/** RFC 7807 problem (arc.yaml ErrorFields): the reason is in extraInfo, the tx in txid. */
const Problem = v.object({
  title: Text,
  detail: Text,
  status: v.optional(v.nullable(v.number())),
  txid: v.optional(v.nullable(Hex64)),
  extraInfo: Text
})

const Policy = v.object({ policy: v.object({ miningFee: v.object({ satoshis: v.pipe(v.number(), v.minValue(0)), bytes: v.pipe(v.number(), v.minValue(1)) }) }) })

/** The miner's policy could not be read. */
export class ArcPolicyError extends Error {}

export class ArcClient {
  constructor (readonly baseUrl: string, private readonly apiKey?: string) {}

  private headers (extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra }
    if (this.apiKey !== undefined && this.apiKey !== '') h.Authorization = `Bearer ${this.apiKey}`
    return h
  }

  private get what (): string { return `the miner at ${hostOf(this.baseUrl)}` }

  /** POST /v1/tx. Never throws for an answer or for no answer: both are facts to judge. */
  async submit (beef: number[]): Promise<ArcAnswer> {
    try {
      const res = await request(`${this.baseUrl}/v1/tx`, {
        method: 'POST',
        headers: this.headers({ 'Content-Type': 'application/json', 'X-WaitFor': 'SEEN_ON_NETWORK', 'X-MaxTimeout': '10' }),
        body: JSON.stringify({ rawTx: Utils.toHex(beef) })
      }, this.what, 30_000)
      return await readAnswer(res)
    } catch (e) {
      if (e instanceof NetworkDown) return {}
      throw e
    }
  }

  /** GET /v1/tx/{txid}. */
  async status (txid: string): Promise<ArcAnswer> {
    try {
      const res = await request(`${this.baseUrl}/v1/tx/${txid}`, { headers: this.headers() }, this.what)
      return await readAnswer(res)
    } catch (e) {
      if (e instanceof NetworkDown) return {}
      throw e
    }
  }

  /** Satoshis per kB the miner asks for. */
  async feeRate (): Promise<number> {
    const res = await request(`${this.baseUrl}/v1/policy`, { headers: this.headers() }, this.what)
    if (!res.ok) throw new ArcPolicyError(withDetail("The miner's policy could not be read.", `HTTP ${res.status}`))
    const p = v.parse(Policy, await res.json())
    return p.policy.miningFee.satoshis * 1000 / p.policy.miningFee.bytes
  }
}

async function readAnswer (res: Response): Promise<ArcAnswer> {
  const text = await res.text().catch(() => '')
  let body: unknown
  try { body = JSON.parse(text) } catch { body = undefined }
  if (res.ok) {
    const parsed = v.safeParse(TxResponse, body)
    if (!parsed.success) return { httpStatus: res.status, unreadable: true }
    const o = parsed.output
    return {
      httpStatus: res.status,
      txid: o.txid.toLowerCase(),
      txStatus: o.txStatus,
      ...(o.blockHeight != null ? { blockHeight: o.blockHeight } : {}),
      ...(o.merklePath != null && o.merklePath !== '' ? { merklePath: o.merklePath } : {}),
      ...(o.extraInfo != null && o.extraInfo !== '' ? { extraInfo: o.extraInfo } : {}),
      ...(o.competingTxs != null ? { competingTxs: o.competingTxs.map(t => t.toLowerCase()) } : {})
    }
  }
  const p = v.safeParse(Problem, body)
  if (!p.success) return { httpStatus: res.status }
  const o = p.output
  return {
    httpStatus: res.status,
    ...(o.txid != null ? { txid: o.txid.toLowerCase() } : {}),
    ...(o.title != null ? { title: o.title } : {}),
    ...(o.detail != null ? { detail: o.detail } : {}),
    ...(o.status != null ? { problemStatus: o.status } : {}),
    ...(o.extraInfo != null && o.extraInfo !== '' ? { extraInfo: o.extraInfo } : {})
  }
}
