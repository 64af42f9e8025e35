// Chain data in WhatsOnChain's shapes (the devnet serves the same ones), validated on arrival.
import * as v from 'valibot'
import { MerklePath, Transaction } from '@bsv/sdk'
import { hostOf, NetworkDown, request } from './http.ts'
import { Pacer, pacerFor, RateLimited, type Patience } from './pacer.ts'

const Hex64 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))
const Sats = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(21e14))
/**
 * One unspent output as WhatsOnChain lists it. Unconfirmed items carry no `height` (some
 * variants say 0); `isSpentInMempoolTx` marks an output a mempool transaction already spends.
 */
const UnspentItem = v.object({
  height: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)))),
  tx_pos: v.pipe(v.number(), v.integer(), v.minValue(0)),
  tx_hash: Hex64,
  value: Sats,
  isSpentInMempoolTx: v.optional(v.boolean())
})
const Token = v.pipe(v.string(), v.maxLength(4096))
/** GET /address/{a}/(un)confirmed/unspent, and each element of the bulk answers. */
const UnspentList = v.nullish(v.pipe(v.array(UnspentItem), v.maxLength(100_000)))
// WhatsOnChain's own docs show the bulk answers both with `result` (the BTC tab, and every
// single-address route) and with the older `unspent`: accept either, read them as one.
const AddressUnspent = v.pipe(
  v.object({
    address: v.optional(v.string()),
    result: UnspentList,
    unspent: UnspentList,
    error: v.optional(v.string()),
    nextPageToken: v.optional(v.nullable(Token))
  }),
  v.transform(({ unspent, ...e }) => ({ ...e, result: e.result ?? unspent }))
)
const BulkUnspent = v.pipe(v.array(AddressUnspent), v.maxLength(20))
const HeaderJson = v.object({ hash: Hex64, height: v.pipe(v.number(), v.integer(), v.minValue(0)), merkleroot: Hex64, time: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32))) })
const Tsc = v.object({ index: v.pipe(v.number(), v.integer(), v.minValue(0)), target: Hex64, nodes: v.pipe(v.array(v.union([Hex64, v.literal('*')])), v.maxLength(64)) })
const ExchangeRate = v.object({ currency: v.literal('USD'), rate: v.pipe(v.number(), v.minValue(0), v.maxValue(10_000_000)) })
const ChainInfo = v.object({ blocks: v.pipe(v.number(), v.integer(), v.minValue(0)) })

export interface UnspentOutput {
  txid: string
  vout: number
  satoshis: number
  /** undefined while unconfirmed */
  height?: number
  /** A mempool transaction already spends it: not spendable, though the address is used. */
  spentInMempool: boolean
}

/** WhatsOnChain's bulk endpoints take at most 20 addresses. */
export const BULK_MAX = 20
/** Pages a single address may take before we call the answer unreasonable. */
const MAX_PAGES = 200
/** The bulk unconfirmed endpoint returns at most this many items per request. */
const BULK_UNCONFIRMED_CAP = 100

export interface ChainReaderOptions {
  /** Requests per second; default: WhatsOnChain's limit for the key (or no key). */
  perSecond?: number
  /** A pacer to share (tests, or readers of one service). */
  pacer?: Pacer
  /** How long this reader's callers may wait out 429s (default: the pacer's, for syncs). */
  patience?: Patience
}

export interface BlockHeaderInfo {
  height: number
  hash: string
  merkleRoot: string
  /** The block's timestamp (Unix seconds), for display: when a restored payment happened. */
  time?: number
}

export class ChainDataError extends Error {}

export class ChainReader {
  readonly pacer: Pacer
  /** Told of every block header read while resolving a proof (the wallet caches them). */
  onHeader: ((h: BlockHeaderInfo) => Promise<void>) | undefined
  private readonly headersByHash = new Map<string, BlockHeaderInfo>()
  /** Set when the service has no bulk endpoints (404): we ask address by address instead. */
  private noBulk = false

  private readonly patience: Patience

  constructor (readonly baseUrl: string, private readonly apiKey?: string, opts: ChainReaderOptions = {}) {
    this.pacer = opts.pacer ?? pacerFor(baseUrl, apiKey, opts.perSecond)
    this.patience = opts.patience ?? {}
  }

  /** Every request to the service goes through the pacer: one queue, 429s ridden out. */
  private async send (path: string, init: { method?: string, body?: unknown } = {}): Promise<Response> {
    const headers: Record<string, string> = {}
    if (this.apiKey !== undefined && this.apiKey !== '') headers.Authorization = this.apiKey
    if (init.body !== undefined) headers['Content-Type'] = 'application/json'
    const body = init.body === undefined ? undefined : JSON.stringify(init.body)
    const once = async (): Promise<Response> => await this.pacer.run(async () => await request(this.baseUrl + path, { method: init.method ?? 'GET', headers, body }, `chain data at ${hostOf(this.baseUrl)}`), this.patience)
    try {
      try {
        return await once()
      } catch (e) {
        // Every request here is a read, so one retry is safe: a kept-alive connection the
        // server closed just as we reused it must not fail a whole restore.
        if (!(e instanceof NetworkDown)) throw e
        return await once()
      }
    } catch (e) {
      if (e instanceof RateLimited) throw new ChainDataError(e.message)
      throw e
    }
  }

  private async get (path: string): Promise<Response> {
    return await this.send(path)
  }

  private async read<T> (res: Response, what: string, schema: v.GenericSchema<unknown, T>): Promise<T> {
    if (!res.ok) throw new ChainDataError(`Chain data service answered ${res.status} for ${what}.`)
    const parsed = v.safeParse(schema, await res.json().catch(() => undefined))
    if (!parsed.success) throw new ChainDataError('The chain data service sent an answer Handover cannot read.')
    return parsed.output
  }

  private async json<T> (path: string, schema: v.GenericSchema<unknown, T>): Promise<T | undefined> {
    const res = await this.get(path)
    if (res.status === 404) return undefined
    return await this.read(res, path.split('/')[1] ?? path, schema)
  }

  /** Unspent outputs of one address, confirmed (every page) and unconfirmed. */
  async unspent (address: string): Promise<UnspentOutput[]> {
    return dedupe([...await this.confirmedPages(address, undefined), ...await this.unconfirmed(address)])
  }

  /**
   * Unspent outputs of many addresses, 20 per request through the bulk endpoints (a restore
   * of 240 addresses takes 24 requests instead of 480). Every address asked for is in the
   * answer; one the service left out is an error, never an empty address.
   */
  async unspentMany (addresses: readonly string[]): Promise<Map<string, UnspentOutput[]>> {
    const out = new Map<string, UnspentOutput[]>()
    for (let i = 0; i < addresses.length; i += BULK_MAX) {
      const batch = addresses.slice(i, i + BULK_MAX)
      if (this.noBulk) {
        for (const a of batch) out.set(a, await this.unspent(a))
        continue
      }
      // Both asked at once: the pacer spaces them, and their round trips overlap.
      const [confirmed, unconfirmed] = await Promise.all([this.bulk('confirmed', batch), this.bulk('unconfirmed', batch)])
      if (confirmed === undefined || unconfirmed === undefined) { this.noBulk = true; i -= BULK_MAX; continue }
      // The bulk unconfirmed answer stops at 100 items; past that, ask each busy address alone.
      const full = [...unconfirmed.values()].reduce((n, e) => n + (e.result?.length ?? 0), 0) >= BULK_UNCONFIRMED_CAP
      for (const a of batch) {
        const c = confirmed.get(a)!
        const mine = [...(c.result ?? []).map(u => toUnspent(u, 'confirmed'))]
        if (typeof c.nextPageToken === 'string' && c.nextPageToken !== '') mine.push(...await this.confirmedPages(a, c.nextPageToken))
        const u = unconfirmed.get(a)!
        if (full && (u.result?.length ?? 0) > 0) mine.push(...await this.unconfirmed(a))
        else mine.push(...(u.result ?? []).map(x => toUnspent(x, 'unconfirmed')))
        out.set(a, dedupe(mine))
      }
    }
    return out
  }

  /** One bulk request; undefined when the service has no such endpoint. */
  private async bulk (kind: 'confirmed' | 'unconfirmed', batch: string[]): Promise<Map<string, v.InferOutput<typeof AddressUnspent>> | undefined> {
    const res = await this.send(`/addresses/${kind}/unspent`, { method: 'POST', body: { addresses: batch } })
    if (res.status === 404 || res.status === 405) return undefined
    const list = await this.read(res, 'addresses', BulkUnspent)
    const byAddress = new Map<string, v.InferOutput<typeof AddressUnspent>>()
    for (const e of list) {
      if (e.address === undefined || !batch.includes(e.address)) throw new ChainDataError('The chain data service answered about an address Handover did not ask for.')
      if (e.error !== undefined && e.error !== '') throw new ChainDataError(`The chain data service could not list ${e.address}: ${e.error.slice(0, 200)}`)
      byAddress.set(e.address, e)
    }
    const missing = batch.find(a => !byAddress.has(a))
    if (missing !== undefined) throw new ChainDataError(`The chain data service left out address ${missing}; Handover will ask again.`)
    return byAddress
  }

  /** Confirmed outputs of one address, following nextPageToken from `token` (or the start). */
  private async confirmedPages (address: string, token: string | undefined): Promise<UnspentOutput[]> {
    const out: UnspentOutput[] = []
    const tokens = new Set<string>()
    for (let page = 0; page < MAX_PAGES; page++) {
      const q = token === undefined ? '' : `?token=${encodeURIComponent(token)}`
      const r = await this.json(`/address/${address}/confirmed/unspent${q}`, AddressUnspent)
      if (r?.error !== undefined && r.error !== '') throw new ChainDataError(`The chain data service could not list ${address}: ${r.error.slice(0, 200)}`)
      for (const u of r?.result ?? []) out.push(toUnspent(u, 'confirmed'))
      const next = r?.nextPageToken
      if (typeof next !== 'string' || next === '') return out
      // A token seen before would loop for ever.
      if (tokens.has(next)) throw new ChainDataError('The chain data service sent the same page twice.')
      tokens.add(next)
      token = next
    }
    throw new ChainDataError(`Address ${address} has more coins than Handover reads at once.`)
  }

  private async unconfirmed (address: string): Promise<UnspentOutput[]> {
    const r = await this.json(`/address/${address}/unconfirmed/unspent`, AddressUnspent)
    if (r?.error !== undefined && r.error !== '') throw new ChainDataError(`The chain data service could not list ${address}: ${r.error.slice(0, 200)}`)
    return (r?.result ?? []).map(u => toUnspent(u, 'unconfirmed'))
  }

  async rawTx (txid: string): Promise<Transaction | undefined> {
    const res = await this.get(`/tx/${txid}/hex`)
    if (res.status === 404) return undefined
    if (!res.ok) throw new ChainDataError(`Chain data service answered ${res.status} for a transaction.`)
    const hex = (await res.text()).trim()
    if (!/^([0-9a-f]{2})+$/i.test(hex) || hex.length > 20_000_000) throw new ChainDataError('The chain data service sent a malformed transaction.')
    const tx = Transaction.fromHex(hex)
    // Never trust the server to answer the question we asked.
    if (tx.id('hex') !== txid) throw new ChainDataError('The chain data service sent a different transaction than asked for.')
    return tx
  }

  async header (heightOrHash: number | string): Promise<BlockHeaderInfo | undefined> {
    // A block's hash names one header for ever: several coins of one block cost one request.
    if (typeof heightOrHash === 'string') {
      const hit = this.headersByHash.get(heightOrHash)
      if (hit !== undefined) return hit
    }
    const found = await this.fetchHeader(heightOrHash)
    if (found !== undefined) {
      if (this.headersByHash.size > 5_000) this.headersByHash.clear()
      this.headersByHash.set(found.hash, found)
    }
    return found
  }

  private async fetchHeader (heightOrHash: number | string): Promise<BlockHeaderInfo | undefined> {
    const h = await this.json(`/block/${heightOrHash}/header`, HeaderJson)
    if (h === undefined) return undefined
    if (typeof heightOrHash === 'number' ? h.height !== heightOrHash : h.hash !== heightOrHash) throw new ChainDataError('The chain data service sent the wrong block header.')
    return { height: h.height, hash: h.hash, merkleRoot: h.merkleroot, ...(h.time !== undefined ? { time: h.time } : {}) }
  }

  async height (): Promise<number> {
    const info = await this.json('/chain/info', ChainInfo)
    if (info === undefined) throw new ChainDataError('The chain data service has no chain info.')
    return info.blocks
  }

  /** US dollars per BSV (WhatsOnChain's /exchangerate). Display only: never used for amounts. */
  async usdPerBsv (): Promise<number> {
    const r = await this.json('/exchangerate', ExchangeRate)
    if (r === undefined) throw new ChainDataError('The chain data service has no exchange rate.')
    return r.rate
  }

  /** The merkle path of a mined tx (from the TSC proof), or undefined while unmined. */
  async merklePath (txid: string): Promise<MerklePath | undefined> {
    const res = await this.get(`/tx/${txid}/proof/tsc`)
    if (res.status === 404) return undefined
    const body: unknown = await res.json().catch(() => null)
    if (body == null) return undefined
    const proof = v.safeParse(Tsc, Array.isArray(body) ? body[0] : body)
    if (!proof.success) throw new ChainDataError('The chain data service sent a malformed merkle proof.')
    const header = await this.header(proof.output.target)
    if (header === undefined) return undefined
    // The header came from the same service the tracker asks by height: remember it there,
    // so checking this proof costs no second request for the same header.
    await this.onHeader?.(header)
    return merklePathFromTsc(txid, proof.output.index, proof.output.nodes, header.height)
  }
}

/** An output listed twice (it got mined between the two requests) counts once, as confirmed. */
function dedupe (list: UnspentOutput[]): UnspentOutput[] {
  const seen = new Map<string, UnspentOutput>()
  for (const u of list) {
    const id = `${u.txid}:${u.vout}`
    const had = seen.get(id)
    if (had === undefined || (had.height === undefined && u.height !== undefined)) seen.set(id, u)
  }
  return [...seen.values()]
}

function toUnspent (u: v.InferOutput<typeof UnspentItem>, kind: 'confirmed' | 'unconfirmed'): UnspentOutput {
  const height = kind === 'confirmed' && typeof u.height === 'number' && u.height > 0 ? u.height : undefined
  return { txid: u.tx_hash, vout: u.tx_pos, satoshis: u.value, height, spentInMempool: u.isSpentInMempoolTx === true }
}

/** TSC proof (index + sibling hashes, '*' = duplicate) to a BRC-74 merkle path. */
export function merklePathFromTsc (txid: string, index: number, nodes: string[], height: number): MerklePath {
  if (nodes.length === 0) return new MerklePath(height, [[{ offset: 0, hash: txid, txid: true }]])
  const path: Array<Array<{ offset: number, hash?: string, txid?: boolean, duplicate?: boolean }>> = []
  let offset = index
  nodes.forEach((node, level) => {
    const sibling = node === '*' ? { offset: offset ^ 1, duplicate: true } : { offset: offset ^ 1, hash: node }
    const leaves = level === 0 ? [{ offset, hash: txid, txid: true }, sibling] : [sibling]
    path.push(leaves.sort((a, b) => a.offset - b.offset))
    offset >>= 1
  })
  return new MerklePath(height, path)
}
