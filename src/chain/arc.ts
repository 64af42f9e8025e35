// ARC client (broadcast, status, policy). Bodies are BEEF V1 so a miner can check
// unconfirmed ancestors too; every reply is validated before we trust it.
import * as v from 'valibot'
import { Utils } from '@bsv/sdk'
import { hostOf, request } from './http.ts'

export type ArcTxStatus =
  | 'UNKNOWN' | 'QUEUED' | 'RECEIVED' | 'STORED' | 'ANNOUNCED_TO_NETWORK' | 'REQUESTED_BY_NETWORK'
  | 'SENT_TO_NETWORK' | 'ACCEPTED_BY_NETWORK' | 'SEEN_IN_ORPHAN_MEMPOOL' | 'SEEN_ON_NETWORK'
  | 'DOUBLE_SPEND_ATTEMPTED' | 'REJECTED' | 'MINED_IN_STALE_BLOCK' | 'MINED'

const TxResponse = v.object({
  txid: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  txStatus: v.string(),
  blockHeight: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)))),
  merklePath: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^([0-9a-f]{2})*$/i), v.maxLength(200_000)))),
  extraInfo: v.optional(v.nullable(v.string()))
})

const Problem = v.object({ title: v.optional(v.string()), detail: v.optional(v.string()), status: v.optional(v.number()) })
const Policy = v.object({ policy: v.object({ miningFee: v.object({ satoshis: v.pipe(v.number(), v.minValue(0)), bytes: v.pipe(v.number(), v.minValue(1)) }) }) })

export interface ArcStatus {
  txid: string
  txStatus: ArcTxStatus
  blockHeight?: number
  merklePath?: string
  extraInfo?: string
}

/** The miner refused the transaction. `code` is ARC's (461 scripts, 465 fee, 466 double spend, …). */
export class ArcRejection extends Error {
  constructor (readonly code: number, readonly title: string, readonly detail: string) {
    super(describeRejection(code, detail))
  }

  /** Another transaction already spends an input: the coins are gone, not just refused. */
  get isDoubleSpend (): boolean { return this.code === 466 }
  /** Worth retrying later (server trouble, rate limit), rather than a verdict on the tx. */
  get isTransient (): boolean { return this.code >= 500 || this.code === 429 || this.code === 408 }
}

export function describeRejection (code: number, detail: string): string {
  const what: Record<number, string> = {
    461: 'The miner says a signature or script is invalid.',
    462: 'The miner does not know one of the coins being spent (it may not be broadcast yet).',
    463: 'The miner could not read the transaction.',
    464: 'The miner says the outputs are invalid.',
    465: 'The fee is too low for this miner.',
    466: 'One of the coins was already spent by another transaction.',
    467: 'The miner needs more of the transaction\'s history.',
    468: 'A merkle proof in the transaction\'s history is invalid.',
    469: 'A merkle proof does not match the miner\'s chain.',
    401: 'The miner refused the API key. Check it in Settings.'
  }
  return `${what[code] ?? `The miner answered ${code}.`}${detail !== '' ? ` (${detail.slice(0, 200)})` : ''}`
}

const FAILED = new Set(['REJECTED', 'DOUBLE_SPEND_ATTEMPTED', 'MINED_IN_STALE_BLOCK'])

export class ArcClient {
  constructor (readonly baseUrl: string, private readonly apiKey?: string) {}

  private headers (extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra }
    if (this.apiKey !== undefined && this.apiKey !== '') h.Authorization = `Bearer ${this.apiKey}`
    return h
  }

  async broadcast (beef: number[]): Promise<ArcStatus> {
    const res = await request(`${this.baseUrl}/v1/tx`, {
      method: 'POST',
      headers: this.headers({ 'Content-Type': 'application/json', 'X-WaitFor': 'SEEN_ON_NETWORK', 'X-MaxTimeout': '10' }),
      body: JSON.stringify({ rawTx: Utils.toHex(beef) })
    }, `the miner at ${hostOf(this.baseUrl)}`, 30_000)
    const status = await this.readStatus(res)
    if (FAILED.has(status.txStatus)) {
      throw new ArcRejection(status.txStatus === 'DOUBLE_SPEND_ATTEMPTED' ? 466 : 461, status.txStatus, status.extraInfo ?? '')
    }
    return status
  }

  /** undefined when the miner does not know the transaction. */
  async status (txid: string): Promise<ArcStatus | undefined> {
    const res = await request(`${this.baseUrl}/v1/tx/${txid}`, { headers: this.headers() }, `the miner at ${hostOf(this.baseUrl)}`)
    if (res.status === 404) return undefined
    return await this.readStatus(res)
  }

  /** Satoshis per kB the miner asks for. */
  async feeRate (): Promise<number> {
    const res = await request(`${this.baseUrl}/v1/policy`, { headers: this.headers() }, `the miner at ${hostOf(this.baseUrl)}`)
    if (!res.ok) throw new ArcRejection(res.status, 'policy', '')
    const p = v.parse(Policy, await res.json())
    return p.policy.miningFee.satoshis * 1000 / p.policy.miningFee.bytes
  }

  private async readStatus (res: Response): Promise<ArcStatus> {
    const body: unknown = await res.json().catch(() => undefined)
    if (!res.ok) {
      const p = v.safeParse(Problem, body)
      throw new ArcRejection(res.status, p.success ? p.output.title ?? '' : '', p.success ? p.output.detail ?? '' : '')
    }
    const parsed = v.safeParse(TxResponse, body)
    if (!parsed.success) throw new ArcRejection(502, 'Bad response', 'the miner sent an answer Handover cannot read')
    const o = parsed.output
    return {
      txid: o.txid,
      txStatus: o.txStatus as ArcTxStatus,
      blockHeight: o.blockHeight ?? undefined,
      merklePath: o.merklePath != null && o.merklePath !== '' ? o.merklePath : undefined,
      extraInfo: o.extraInfo ?? undefined
    }
  }
}
