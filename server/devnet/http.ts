// HTTP face of the devnet, in the shapes the app meets on mainnet:
//   {base}/arc/v1/...     ARC (POST /v1/tx, GET /v1/tx/{txid}, GET /v1/policy)
//   {base}/chain/...      WhatsOnChain-style reads (unspent, raw tx, TSC proof, headers, chain info)
//   {base}/faucet, {base}/mine   devnet only
import type { IncomingMessage, ServerResponse } from 'node:http'
import { MerklePath, P2PKH, Utils } from '@bsv/sdk'
import { ChainRejection, type Devnet, type TxInfo } from './chain.ts'
import { HttpError, readBody, sendJson, sendText } from '../http-util.ts'

const TXID = /^[0-9a-f]{64}$/
const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type, authorization, x-waitfor, x-maxtimeout', 'access-control-allow-methods': 'GET, POST, OPTIONS' }

function arcTx (info: TxInfo): Record<string, unknown> {
  return {
    timestamp: new Date().toISOString(),
    txid: info.txid,
    txStatus: info.txStatus,
    blockHeight: info.blockHeight,
    blockHash: info.blockHash,
    merklePath: info.merklePath?.toHex() ?? '',
    extraInfo: '',
    competingTxs: null,
    status: 200,
    title: 'OK'
  }
}

function problem (res: ServerResponse, status: number, title: string, detail: string, txid?: string): void {
  sendJson(res, status, { type: `https://bitcoin-sv.github.io/arc/#/errors?id=_${status}`, title, status, detail, instance: null, txid: txid ?? null, extraInfo: detail }, CORS)
}

function scriptForAddress (address: string): string {
  try {
    return new P2PKH().lock(address).toHex()
  } catch {
    throw new HttpError(400, `not a P2PKH address: ${address.slice(0, 64)}`)
  }
}

async function submissionBytes (req: IncomingMessage): Promise<number[]> {
  const body = await readBody(req, 10_500_000)
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim()
  if (type === 'application/octet-stream') return Array.from(body)
  let hex = body.toString('utf8').trim()
  if (type === 'application/json') {
    let parsed: unknown
    try { parsed = JSON.parse(hex) } catch { throw new ChainRejection(400, 'Bad request', 'body is not JSON') }
    const raw = (parsed as { rawTx?: unknown }).rawTx
    if (typeof raw !== 'string') throw new ChainRejection(400, 'Bad request', 'expected {"rawTx": "<hex>"}')
    hex = raw
  }
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new ChainRejection(463, 'Malformed transaction', 'transaction is not hex')
  return Utils.toArray(hex, 'hex')
}

/** Returns true when the request was a devnet route and has been answered. */
export async function handleDevnet (devnet: Devnet, base: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://x')
  if (!url.pathname.startsWith(base + '/')) return false
  const path = url.pathname.slice(base.length)
  const method = req.method ?? 'GET'
  if (method === 'OPTIONS') { res.writeHead(204, CORS); res.end(); return true }
  try {
    let m: RegExpMatchArray | null
    // --- ARC ---
    if (method === 'POST' && path === '/arc/v1/tx') {
      const info = await devnet.submit(await submissionBytes(req))
      sendJson(res, 200, arcTx(info), CORS)
    } else if (method === 'GET' && (m = path.match(/^\/arc\/v1\/tx\/([0-9a-f]{64})$/)) != null) {
      const info = await devnet.txInfo(m[1]!)
      if (info == null) problem(res, 404, 'Not found', 'transaction not found', m[1])
      else sendJson(res, 200, arcTx(info), CORS)
    } else if (method === 'GET' && path === '/arc/v1/policy') {
      sendJson(res, 200, {
        timestamp: new Date().toISOString(),
        policy: { maxscriptsizepolicy: 100_000_000, maxtxsigopscountspolicy: 4_294_967_295, maxtxsizepolicy: 10_000_000, miningFee: { satoshis: devnet.feeSatoshis, bytes: devnet.feeBytes }, standardFormatSupported: true }
      }, CORS)
    // --- chain reads (WhatsOnChain shapes) ---
    } else if (method === 'GET' && (m = path.match(/^\/chain\/address\/([1-9A-HJ-NP-Za-km-z]{25,40})\/(confirmed|unconfirmed)\/unspent$/)) != null) {
      const script = scriptForAddress(m[1]!)
      const utxos = (await devnet.utxosForScript(script)).filter(u => (m![2] === 'confirmed') === (u.height != null))
      sendJson(res, 200, {
        address: m[1], script: Utils.toHex(Utils.toArray(script, 'hex')), error: '',
        result: utxos.map(u => ({ height: u.height ?? 0, tx_pos: u.vout, tx_hash: u.txid, value: u.satoshis, isSpentInMempoolTx: false }))
      }, CORS)
    } else if (method === 'GET' && (m = path.match(/^\/chain\/tx\/([0-9a-f]{64})\/hex$/)) != null) {
      const raw = await devnet.rawTx(m[1]!)
      if (raw == null) sendText(res, 404, 'not found', CORS)
      else sendText(res, 200, Utils.toHex(raw), CORS)
    } else if (method === 'GET' && (m = path.match(/^\/chain\/tx\/([0-9a-f]{64})\/proof\/tsc$/)) != null) {
      const info = await devnet.txInfo(m[1]!)
      if (info == null) sendText(res, 404, 'not found', CORS)
      else if (info.merklePath == null || info.blockHash == null) sendJson(res, 200, null, CORS)
      else sendJson(res, 200, [tscFromPath(info.txid, info.merklePath.toHex(), info.blockHash)], CORS)
    } else if (method === 'GET' && (m = path.match(/^\/chain\/block\/([0-9a-f]{64}|\d{1,9})\/header$/)) != null) {
      const key = m[1]!
      const h = await devnet.header(TXID.test(key) ? key : Number(key))
      if (h == null) sendText(res, 404, 'not found', CORS)
      else sendJson(res, 200, { hash: h.hash, height: h.height, version: h.version, merkleroot: h.merkleRoot, time: h.time, nonce: h.nonce, bits: h.bits.toString(16), previousblockhash: h.previousHash }, CORS)
    } else if (method === 'GET' && path === '/chain/exchangerate') {
      // The simulator's price (MockServices), in WhatsOnChain's shape.
      sendJson(res, 200, { currency: 'USD', rate: await devnet.services.getBsvExchangeRate(), time: Math.floor(Date.now() / 1000) }, CORS)
    } else if (method === 'GET' && path === '/chain/chain/info') {
      const tip = await devnet.tip()
      sendJson(res, 200, { chain: 'devnet', blocks: tip.height, headers: tip.height, bestblockhash: tip.hash }, CORS)
    // --- devnet only ---
    } else if (method === 'POST' && path === '/faucet') {
      const body = JSON.parse((await readBody(req, 4096)).toString('utf8') || '{}') as { address?: unknown, satoshis?: unknown }
      if (typeof body.address !== 'string') throw new HttpError(400, 'expected {"address": "...", "satoshis": n}')
      const sats = body.satoshis === undefined ? 1_000_000 : Number(body.satoshis)
      const info = await devnet.faucet(scriptForAddress(body.address), sats)
      sendJson(res, 200, { txid: info.txid, satoshis: sats }, CORS)
    } else if (method === 'POST' && path === '/mine') {
      const body = JSON.parse((await readBody(req, 4096)).toString('utf8') || '{}') as { blocks?: unknown }
      const n = body.blocks === undefined ? 1 : Number(body.blocks)
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new HttpError(400, 'blocks must be 1..1000')
      const headers = await devnet.mine(n)
      sendJson(res, 200, { height: headers[headers.length - 1]!.height, hashes: headers.map(h => h.hash) }, CORS)
    } else {
      sendJson(res, 404, { error: 'no such devnet route' }, CORS)
    }
  } catch (e) {
    if (e instanceof ChainRejection) problem(res, e.status, e.title, e.message, e.txid)
    else if (e instanceof HttpError) problem(res, e.status, 'Bad request', e.message)
    else if (e instanceof SyntaxError) problem(res, 400, 'Bad request', 'body is not JSON')
    else problem(res, 500, 'Internal error', (e as Error).message)
  }
  return true
}

/** TSC proof object (what WhatsOnChain serves) from a BUMP, so one client reads both. */
export function tscFromPath (txid: string, bumpHex: string, blockHash: string): { index: number, txOrId: string, target: string, nodes: string[] } {
  const mp = MerklePath.fromHex(bumpHex)
  const leaf = mp.path[0]!.find(l => l.hash === txid)
  if (leaf == null) throw new Error('txid not in its own merkle path')
  let index = leaf.offset
  const nodes: string[] = []
  // A block holding only its coinbase: the txid is the root and there are no siblings.
  if (mp.path.length === 1 && mp.path[0]!.length === 1) return { index: 0, txOrId: txid, target: blockHash, nodes }
  for (let level = 0; level < mp.path.length; level++) {
    const sib = mp.path[level]!.find(l => l.offset === (index ^ 1))
    if (sib == null) throw new Error('incomplete merkle path')
    nodes.push(sib.duplicate === true ? '*' : sib.hash!)
    index = index >> 1
  }
  return { index: leaf.offset, txOrId: txid, target: blockHash, nodes }
}
