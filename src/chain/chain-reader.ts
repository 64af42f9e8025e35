// Chain data in WhatsOnChain's shapes (the devnet serves the same ones), validated on arrival.
import * as v from 'valibot'
import { MerklePath, Transaction } from '@bsv/sdk'
import { hostOf, request } from './http.ts'

const Hex64 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/))
const Unspent = v.object({
  result: v.pipe(v.array(v.object({
    height: v.pipe(v.number(), v.integer(), v.minValue(0)),
    tx_pos: v.pipe(v.number(), v.integer(), v.minValue(0)),
    tx_hash: Hex64,
    value: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(21e14))
  })), v.maxLength(10_000))
})
const HeaderJson = v.object({ hash: Hex64, height: v.pipe(v.number(), v.integer(), v.minValue(0)), merkleroot: Hex64 })
const Tsc = v.object({ index: v.pipe(v.number(), v.integer(), v.minValue(0)), target: Hex64, nodes: v.pipe(v.array(v.union([Hex64, v.literal('*')])), v.maxLength(64)) })
const ExchangeRate = v.object({ currency: v.literal('USD'), rate: v.pipe(v.number(), v.minValue(0), v.maxValue(10_000_000)) })
const ChainInfo = v.object({ blocks: v.pipe(v.number(), v.integer(), v.minValue(0)) })

export interface UnspentOutput {
  txid: string
  vout: number
  satoshis: number
  /** undefined while unconfirmed */
  height?: number
}

export interface BlockHeaderInfo {
  height: number
  hash: string
  merkleRoot: string
}

export class ChainDataError extends Error {}

export class ChainReader {
  constructor (readonly baseUrl: string, private readonly apiKey?: string) {}

  private async get (path: string): Promise<Response> {
    const headers: Record<string, string> = {}
    if (this.apiKey !== undefined && this.apiKey !== '') headers.Authorization = this.apiKey
    const res = await request(this.baseUrl + path, { headers }, `chain data at ${hostOf(this.baseUrl)}`)
    if (res.status === 429) throw new ChainDataError('The chain data service is rate limiting us; an API key in Settings raises the limit.')
    return res
  }

  private async json<T> (path: string, schema: v.GenericSchema<unknown, T>): Promise<T | undefined> {
    const res = await this.get(path)
    if (res.status === 404) return undefined
    if (!res.ok) throw new ChainDataError(`Chain data service answered ${res.status} for ${path.split('/')[1]}.`)
    const parsed = v.safeParse(schema, await res.json())
    if (!parsed.success) throw new ChainDataError('The chain data service sent an answer Handover cannot read.')
    return parsed.output
  }

  async unspent (address: string): Promise<UnspentOutput[]> {
    const out: UnspentOutput[] = []
    for (const kind of ['confirmed', 'unconfirmed'] as const) {
      const r = await this.json(`/address/${address}/${kind}/unspent`, Unspent)
      for (const u of r?.result ?? []) {
        out.push({ txid: u.tx_hash, vout: u.tx_pos, satoshis: u.value, height: kind === 'confirmed' && u.height > 0 ? u.height : undefined })
      }
    }
    return out
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
    const h = await this.json(`/block/${heightOrHash}/header`, HeaderJson)
    if (h === undefined) return undefined
    if (typeof heightOrHash === 'number' && h.height !== heightOrHash) throw new ChainDataError('The chain data service sent the wrong block header.')
    return { height: h.height, hash: h.hash, merkleRoot: h.merkleroot }
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
    return merklePathFromTsc(txid, proof.output.index, proof.output.nodes, header.height)
  }
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
