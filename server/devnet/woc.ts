// WhatsOnChain's HTTP face, mounted where https://api.whatsonchain.com/v1/bsv/{network} is.
// Shapes follow the WhatsOnChain documentation (docs.whatsonchain.com, mirrored at
// docs.taal.com/core-products/whatsonchain) and what its clients read (@bsv/sdk's
// WhatsOnChain ChainTracker and broadcaster, @bsv/wallet-toolbox's WhatsOnChain provider):
//   unconfirmed items carry no `height`; outputs spent by a mempool tx are listed with
//   isSpentInMempoolTx: true; confirmed lists page at 1000 with nextPageToken; bulk routes
//   take at most 20 addresses; error answers use the node's reject strings.
import type { IncomingMessage } from 'node:http'
import { P2PKH, Utils } from '@bsv/sdk'
import { ChainRejection, type Devnet, type Header, type Utxo, wocScriptHash } from './chain.ts'
import { json, text, type Reply } from './reply.ts'
import { tscFromPath } from './tsc.ts'
import { submissionTxid } from './parse.ts'
import { HttpError, readBody } from '../http-util.ts'

export const PAGE_SIZE = 1000
export const BULK_MAX = 20
const ADDRESS = /^[1-9A-HJ-NP-Za-km-z]{25,40}$/
const HASH = /^[0-9a-f]{64}$/

function scriptForAddress (address: string): string | undefined {
  if (!ADDRESS.test(address)) return undefined
  try {
    return new P2PKH().lock(address).toHex()
  } catch {
    return undefined
  }
}

/** MockServices indexes sha256(script); WhatsOnChain's script hash is that, byte-reversed. */
function storageHash (wocHash: string): string {
  return Utils.toHex(Utils.toArray(wocHash, 'hex').reverse())
}

function item (u: Utxo, withHeight: boolean): Record<string, unknown> {
  const base = { tx_pos: u.vout, tx_hash: u.txid, value: u.satoshis, isSpentInMempoolTx: u.spentInMempool }
  return withHeight
    ? { height: u.height, ...base, status: 'confirmed' }
    : { ...base, hex: u.lockingScript, status: 'unconfirmed' }
}

/** Opaque page token: the offset, so a client that invents one gets nothing it could not ask for. */
function page<T> (all: T[], token: string | null): { items: T[], nextPageToken?: string } {
  let start = 0
  if (token !== null && token !== '') {
    const n = /^p(\d{1,9})$/.exec(token)
    if (n == null) throw new HttpError(400, 'invalid token')
    start = Number(n[1])
  }
  const items = all.slice(start, start + PAGE_SIZE)
  return start + PAGE_SIZE < all.length ? { items, nextPageToken: `p${start + PAGE_SIZE}` } : { items }
}

type Kind = 'confirmed' | 'unconfirmed' | 'all'

async function unspentResult (devnet: Devnet, scriptHash: string, kind: Kind, token: string | null): Promise<{ result: unknown[], nextPageToken?: string }> {
  const utxos = await devnet.utxosForScriptHash(storageHash(scriptHash))
  const confirmed = utxos.filter(u => u.height !== undefined)
  const unconfirmed = utxos.filter(u => u.height === undefined)
  if (kind === 'unconfirmed') return { result: unconfirmed.map(u => item(u, false)) }
  const p = page(confirmed, token)
  const result = p.items.map(u => item(u, true))
  // unspent/all: unconfirmed first (all of them), then the page of confirmed ones.
  if (kind === 'all' && (token === null || token === '')) result.unshift(...unconfirmed.map(u => item(u, false)))
  return p.nextPageToken !== undefined ? { result, nextPageToken: p.nextPageToken } : { result }
}

function headerJson (h: Header, tipHeight: number, medianTime: number, next?: string): Record<string, unknown> {
  return {
    hash: h.hash,
    confirmations: tipHeight - h.height + 1,
    size: 0,
    height: h.height,
    version: h.version,
    versionHex: h.version.toString(16).padStart(8, '0'),
    merkleroot: h.merkleRoot,
    time: h.time,
    mediantime: medianTime,
    nonce: h.nonce,
    bits: h.bits.toString(16),
    difficulty: 1,
    chainwork: (h.height + 1).toString(16).padStart(64, '0'),
    previousblockhash: h.previousHash,
    ...(next !== undefined ? { nextblockhash: next } : {}),
    nTx: 0,
    num_tx: 1
  }
}

async function bodyJson (req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = (await readBody(req, limit)).toString('utf8')
  try {
    return JSON.parse(raw) as unknown
  } catch {
    throw new HttpError(400, 'invalid JSON body')
  }
}

async function bulkAddresses (req: IncomingMessage): Promise<string[]> {
  const body = await bodyJson(req, 16_384)
  const list = typeof body === 'object' && body !== null ? (body as { addresses?: unknown }).addresses : undefined
  if (!Array.isArray(list) || list.some(a => typeof a !== 'string')) throw new HttpError(400, 'expected {"addresses": [...]}')
  if (list.length > BULK_MAX) throw new HttpError(400, `Max ${BULK_MAX} addresses per request`)
  return list as string[]
}

/** The node's reject strings as WhatsOnChain relays them (what wallet-toolbox matches on). */
function rawTxError (status: string, extraInfo: string): string {
  if (status === 'DOUBLE_SPEND_ATTEMPTED') return 'unexpected response code 500: 258: txn-mempool-conflict'
  if (status === 'SEEN_IN_ORPHAN_MEMPOOL') return 'unexpected response code 500: Missing inputs'
  return `unexpected response code 500: 16: ${extraInfo !== '' ? extraInfo : 'rejected'}`
}

/**
 * Answers a WhatsOnChain route, or undefined when `path` is none of them. `path` is relative
 * to the network base (e.g. "/tx/{txid}/hex").
 */
export async function handleWoc (devnet: Devnet, method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<Reply | undefined> {
  let m: RegExpExecArray | null
  const token = query.get('token')
  if (method === 'GET' && (m = /^\/address\/([^/]{1,100})\/(confirmed|unconfirmed)\/unspent$/.exec(path)) != null) {
    const script = scriptForAddress(m[1]!)
    if (script === undefined) return json(400, { error: 'invalid address' })
    const r = await unspentResult(devnet, wocScriptHash(script), m[2] as Kind, token)
    return json(200, { address: m[1], script: wocScriptHash(script), ...r, error: '' })
  }
  if (method === 'GET' && (m = /^\/address\/([^/]{1,100})\/unspent\/all$/.exec(path)) != null) {
    const script = scriptForAddress(m[1]!)
    if (script === undefined) return json(400, { error: 'invalid address' })
    const r = await unspentResult(devnet, wocScriptHash(script), 'all', token)
    return json(200, { address: m[1], script: wocScriptHash(script), ...r, error: '' })
  }
  if (method === 'GET' && (m = /^\/script\/([0-9a-f]{64})\/(confirmed|unconfirmed)\/unspent$/.exec(path)) != null) {
    return json(200, { script: m[1], ...await unspentResult(devnet, m[1]!, m[2] as Kind, token), error: '' })
  }
  if (method === 'GET' && (m = /^\/script\/([0-9a-f]{64})\/unspent\/all$/.exec(path)) != null) {
    return json(200, { script: m[1], ...await unspentResult(devnet, m[1]!, 'all', token), error: '' })
  }
  if (method === 'POST' && (m = /^\/addresses\/(confirmed|unconfirmed)\/unspent$/.exec(path)) != null) {
    const out: unknown[] = []
    for (const address of await bulkAddresses(req)) {
      const script = scriptForAddress(address)
      if (script === undefined) { out.push({ address, result: [], error: 'invalid address' }); continue }
      const r = await unspentResult(devnet, wocScriptHash(script), m[1] as Kind, null)
      out.push({ address, script: wocScriptHash(script), result: r.result, error: '', ...(r.nextPageToken !== undefined ? { nextPageToken: r.nextPageToken } : {}) })
    }
    return json(200, out)
  }
  if (method === 'GET' && (m = /^\/(address|script)\/([^/]{1,100})\/(confirmed|unconfirmed)\/history$/.exec(path)) != null) {
    let hash = m[2]!
    if (m[1] === 'address') {
      const script = scriptForAddress(hash)
      if (script === undefined) return json(400, { error: 'invalid address' })
      hash = wocScriptHash(script)
    } else if (!HASH.test(hash)) return json(400, { error: 'invalid script hash' })
    const history = (await devnet.historyForScriptHash(storageHash(hash))).filter(h => (m![3] === 'confirmed') === (h.height !== undefined))
    if (m[3] === 'unconfirmed') return json(200, { result: history.map(h => ({ tx_hash: h.txid })), error: '' })
    const p = page(history, token)
    return json(200, { result: p.items.map(h => ({ tx_hash: h.txid, height: h.height })), error: '', ...(p.nextPageToken !== undefined ? { nextPageToken: p.nextPageToken } : {}) })
  }
  if (method === 'GET' && (m = /^\/tx\/([0-9a-f]{64})\/hex$/.exec(path)) != null) {
    const raw = await devnet.rawTx(m[1]!)
    return raw == null ? text(404, 'Not Found') : text(200, Utils.toHex(raw))
  }
  if (method === 'GET' && (m = /^\/tx\/([0-9a-f]{64})\/proof\/tsc$/.exec(path)) != null) {
    const info = await devnet.txInfo(m[1]!)
    if (info == null || (await devnet.minedHeight(m[1]!)) === undefined) return text(404, 'Not Found')
    if (info.merklePath == null || info.blockHash == null) return json(200, null)
    return json(200, [tscFromPath(info.txid, info.merklePath.toHex(), info.blockHash)])
  }
  if (method === 'POST' && path === '/txs/status') {
    const body = await bodyJson(req, 65_536)
    const txids = typeof body === 'object' && body !== null ? (body as { txids?: unknown }).txids : undefined
    if (!Array.isArray(txids) || txids.length > BULK_MAX || txids.some(t => typeof t !== 'string')) throw new HttpError(400, `expected {"txids": [...]} with at most ${BULK_MAX}`)
    const tip = await devnet.tip()
    const out: unknown[] = []
    for (const txid of txids as string[]) {
      const height = HASH.test(txid) ? await devnet.minedHeight(txid) : undefined
      if (height === undefined) { out.push({ txid, error: 'unknown' }); continue }
      if (height === null) { out.push({ txid }); continue }
      const h = (await devnet.header(height))!
      out.push({ txid, blockhash: h.hash, blockheight: height, blocktime: h.time, confirmations: tip.height - height + 1 })
    }
    return json(200, out)
  }
  if (method === 'POST' && path === '/tx/raw') {
    const body = await bodyJson(req, 21_000_000)
    const hex = typeof body === 'object' && body !== null ? (body as { txhex?: unknown }).txhex : undefined
    if (typeof hex !== 'string' || !/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return text(400, 'unexpected response code 500: TX decode failed')
    const bytes = Uint8Array.from(Utils.toArray(hex, 'hex'))
    // A plain node broadcast: only raw transactions, nothing ARC-specific.
    if (bytes.length > 4 && bytes[2] === 0xbe && bytes[3] === 0xef) return text(400, 'unexpected response code 500: TX decode failed')
    const txid = submissionTxid(bytes)
    if (txid !== '' && (await devnet.minedHeight(txid)) !== undefined) return text(400, 'unexpected response code 500: Transaction already in the mempool')
    try {
      const info = await devnet.submit(bytes)
      if (info.txStatus === 'DOUBLE_SPEND_ATTEMPTED' || info.txStatus === 'SEEN_IN_ORPHAN_MEMPOOL' || info.txStatus === 'REJECTED') {
        return text(400, rawTxError(info.txStatus, info.extraInfo))
      }
      return json(200, info.txid)
    } catch (e) {
      if (e instanceof ChainRejection) {
        const reason = e.status === 465 ? '66: insufficient priority' : e.status === 461 ? '16: mandatory-script-verify-flag-failed' : e.status === 460 ? 'Missing inputs' : 'TX decode failed'
        return text(400, `unexpected response code 500: ${reason}`)
      }
      throw e
    }
  }
  if (method === 'GET' && (m = /^\/block\/(?:hash\/|height\/)?([0-9a-f]{64}|\d{1,9})\/header$/.exec(path)) != null) {
    const key = m[1]!
    const h = await devnet.header(HASH.test(key) ? key : Number(key))
    if (h == null) return text(404, 'Not Found')
    const next = await devnet.header(h.height + 1)
    return json(200, headerJson(h, (await devnet.tip()).height, await devnet.medianTimePast(h.height) ?? h.time, next?.hash))
  }
  if (method === 'GET' && path === '/block/headers') {
    // The latest 10 headers, newest first (the SDK's ChainTracker reads [0].height).
    const tip = await devnet.tip()
    const out: unknown[] = []
    for (let height = tip.height; height >= 0 && height > tip.height - 10; height--) {
      const h = await devnet.header(height)
      if (h !== undefined) out.push(headerJson(h, tip.height, await devnet.medianTimePast(h.height) ?? h.time, height === tip.height ? undefined : (await devnet.header(height + 1))?.hash))
    }
    return json(200, out)
  }
  if (method === 'GET' && path === '/chain/info') {
    const tip = await devnet.tip()
    return json(200, { chain: 'devnet', blocks: tip.height, headers: tip.height, bestblockhash: tip.hash, difficulty: 1, mediantime: await devnet.medianTimePast(tip.height) ?? tip.time, verificationprogress: 1, pruned: false, chainwork: (tip.height + 1).toString(16).padStart(64, '0') })
  }
  if (method === 'GET' && path === '/exchangerate') {
    // The simulator's price (MockServices), in WhatsOnChain's shape.
    return json(200, { currency: 'USD', rate: await devnet.services.getBsvExchangeRate(), time: Math.floor(Date.now() / 1000) })
  }
  return undefined
}
