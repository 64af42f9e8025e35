// ARC's HTTP face (bitcoin-sv/arc pkg/api/arc.yaml, internal/api/handler/default.go):
//   POST /v1/tx        200 + TransactionResponse for anything the node decided (including
//                      DOUBLE_SPEND_ATTEMPTED, SEEN_IN_ORPHAN_MEMPOOL, REJECTED), 4xx RFC 7807
//                      bodies for what ARC's API refused, with a generic `detail` per status
//                      and the reason in `extraInfo`.
//   GET  /v1/tx/{id}   TransactionStatus or 404.
//   POST /v1/txs       a batch: 200 with one answer per transaction.
//   GET  /v1/policy, GET /v1/health
import type { IncomingMessage } from 'node:http'
import { Utils } from '@bsv/sdk'
import { ChainRejection, STATUS_ORDER, type Devnet, type TxInfo, type TxStatus } from './chain.ts'
import { json, type Reply } from './reply.ts'
import { readBody } from '../http-util.ts'

/** ARC's generic `title` and `detail` per status (pkg/api/status.go NewErrorFields). */
const ARC_ERRORS: Record<number, [title: string, detail: string]> = {
  400: ['Bad request', 'The request seems to be malformed and cannot be processed'],
  404: ['Not found', 'The requested resource could not be found'],
  409: ['Generic error', 'Transaction could not be processed'],
  460: ['Not extended format', 'Missing input scripts: Transaction could not be transformed to extended format'],
  461: ['Malformed transaction', 'Transaction is malformed and cannot be processed'],
  462: ['Invalid inputs', 'Transaction is invalid because the inputs are non-existent or spent'],
  463: ['Malformed transaction', 'Transaction is malformed and cannot be processed'],
  464: ['Invalid outputs', 'Transaction is invalid because the outputs are non-existent or invalid'],
  465: ['Fee too low', 'Fees are insufficient'],
  466: ['Conflicting tx found', 'Transaction is valid, but there is a conflicting tx in the block template'],
  467: ['Mined ancestors not found', 'Error validating BEEF: mined ancestors not found in transaction inputs'],
  468: ['Invalid BUMPs', 'BEEF validation failed: BEEF invalid'],
  469: ['Merkle Roots validation failed', "BEEF validation failed: couldn't verify Merkle Roots"],
  471: ['Input Frozen', 'Input Frozen (blacklist manager policy blacklisted)'],
  472: ['Input Frozen', 'Input Frozen (blacklist manager consensus blacklisted)'],
  473: ['Cumulative fee validation failed', 'Cumulative fee validation failed'],
  474: ['Transaction size validation failed', 'Transaction size validation failed'],
  475: ['Mined ancestors not found in BUMPs', "BEEF validation failed: couldn't find mined ancestor of the transaction in provided BUMPs"]
}

/** An RFC 7807 problem as ARC writes it; unknown statuses become ARC's 409, as ARC does. */
export function arcProblem (status: number, extraInfo: string, txid?: string): Reply {
  const known = ARC_ERRORS[status]
  const code = known !== undefined ? status : 409
  const [title, detail] = known ?? ARC_ERRORS[409]!
  return json(code, {
    type: `https://bitcoin-sv.github.io/arc/#/errors?id=_${code}`,
    title,
    status: code,
    detail,
    instance: null,
    txid: txid ?? null,
    extraInfo
  })
}

/** TransactionStatus (GET) — TransactionResponse adds `status` and `title` (POST). */
function txStatusBody (info: TxInfo): Record<string, unknown> {
  return {
    timestamp: new Date().toISOString(),
    blockHash: info.blockHash ?? '',
    blockHeight: info.blockHeight ?? 0,
    txid: info.txid,
    merklePath: info.merklePath?.toHex() ?? '',
    txStatus: info.txStatus,
    extraInfo: info.extraInfo,
    competingTxs: info.competingTxs
  }
}

const MAX_BODY = 10_500_000
/** ARC: "max 30 seconds, default 5". */
const MAX_TIMEOUT_S = 30
const DEFAULT_TIMEOUT_S = 5

function header (req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/

/** ARC's parseTransactionFromRequest: by content type; anything unreadable is 400. */
export async function submissionBytes (req: IncomingMessage): Promise<Uint8Array> {
  const body = await readBody(req, MAX_BODY)
  if (body.length === 0) throw new ChainRejection(400, 'error parsing transactions from request: no transaction found - empty request body')
  const type = (header(req, 'content-type') ?? '').toLowerCase()
  let hex: string
  if (type.includes('text/plain')) {
    hex = body.toString('latin1')
  } else if (type.includes('application/json')) {
    let parsed: unknown
    try { parsed = JSON.parse(body.toString('utf8')) } catch (e) { throw new ChainRejection(400, `error parsing transactions from request: ${(e as Error).message}`) }
    const raw = typeof parsed === 'object' && parsed !== null ? (parsed as { rawTx?: unknown }).rawTx : undefined
    hex = typeof raw === 'string' ? raw : ''
  } else if (type.includes('application/octet-stream')) {
    return new Uint8Array(body)
  } else {
    throw new ChainRejection(400, `error parsing transactions from request: given content-type ${type} does not match any of the allowed content-types`)
  }
  if (!HEX.test(hex)) throw new ChainRejection(400, 'error parsing transactions from request: encoding/hex: invalid byte')
  if (hex.length === 0) throw new ChainRejection(400, 'error parsing transactions from request: no transaction found - empty request body')
  return Uint8Array.from(Utils.toArray(hex, 'hex'))
}

function rejectionReply (e: ChainRejection): Reply {
  return arcProblem(e.status, e.reason, e.txid)
}

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/**
 * POST /v1/txs (text/plain: one hex tx per line; application/json: [{rawTx}]): 200 with one
 * TransactionResponse or RFC 7807 object per transaction, as ARC answers a batch.
 */
export async function postTxs (devnet: Devnet, req: IncomingMessage): Promise<Reply> {
  const body = await readBody(req, MAX_BODY)
  const type = (header(req, 'content-type') ?? '').toLowerCase()
  let hexes: string[]
  if (type.includes('text/plain')) {
    hexes = body.toString('latin1').split('\n').map(l => l.replace(/\r$/, '')).filter(l => l !== '')
  } else if (type.includes('application/json')) {
    let parsed: unknown
    try { parsed = JSON.parse(body.toString('utf8')) } catch (e) { return arcProblem(400, `error parsing transactions from request: ${(e as Error).message}`) }
    if (!Array.isArray(parsed)) return arcProblem(400, 'error parsing transactions from request: expected an array of {"rawTx": "<hex>"}')
    hexes = parsed.map(p => typeof p === 'object' && p !== null && typeof (p as { rawTx?: unknown }).rawTx === 'string' ? (p as { rawTx: string }).rawTx : '')
  } else {
    return arcProblem(400, `error parsing transactions from request: given content-type ${type} does not match any of the allowed content-types`)
  }
  if (hexes.length === 0) return arcProblem(400, 'error parsing transactions from request: no transaction found - empty request body')
  if (hexes.length > 1000) return arcProblem(400, 'error parsing transactions from request: more than 1000 transactions')
  if (hexes.some(h => !HEX.test(h) || h === '')) return arcProblem(400, 'error parsing transactions from request: encoding/hex: invalid byte')
  const out: unknown[] = []
  for (const hex of hexes) {
    try {
      const info = await devnet.submit(Uint8Array.from(Utils.toArray(hex, 'hex')))
      out.push({ ...txStatusBody(info), status: 200, title: 'OK' })
    } catch (e) {
      if (!(e instanceof ChainRejection)) throw e
      out.push(rejectionReply(e).body)
    }
  }
  return json(200, out)
}

/** POST /v1/tx. `bytes` were read by the caller (the fault API needs the txid first). */
export async function postTx (devnet: Devnet, req: IncomingMessage, bytes: Uint8Array): Promise<Reply> {
  const maxTimeout = header(req, 'x-maxtimeout')
  let timeoutS = DEFAULT_TIMEOUT_S
  if (maxTimeout !== undefined) {
    timeoutS = Number(maxTimeout)
    if (!/^\d{1,9}$/.test(maxTimeout.trim())) return arcProblem(400, `invalid X-MaxTimeout ${maxTimeout.slice(0, 20)}`)
    if (timeoutS > MAX_TIMEOUT_S) return arcProblem(400, `max timeout can not be higher than ${MAX_TIMEOUT_S} `)
  }
  const waitForHeader = header(req, 'x-waitfor')
  let waitFor: TxStatus = 'SEEN_ON_NETWORK'
  if (waitForHeader !== undefined) {
    if (!(STATUS_ORDER as string[]).includes(waitForHeader) && waitForHeader !== 'MINED') {
      return arcProblem(400, `status not supported\nstatus: ${waitForHeader.slice(0, 40)}`)
    }
    waitFor = waitForHeader as TxStatus
  }
  let info: TxInfo
  try {
    info = await devnet.submit(bytes)
  } catch (e) {
    if (e instanceof ChainRejection) return rejectionReply(e)
    throw e
  }
  // ARC waits for the status asked for (X-WaitFor, default SEEN_ON_NETWORK) up to
  // X-MaxTimeout, then answers with whatever status the transaction has reached.
  const deadline = Date.now() + timeoutS * 1000
  const reached = (s: TxStatus): boolean => {
    const i = STATUS_ORDER.indexOf(s)
    return i < 0 || i >= STATUS_ORDER.indexOf(waitFor === 'MINED' ? 'SEEN_ON_NETWORK' : waitFor)
  }
  while (!reached(info.txStatus) && Date.now() < deadline) {
    const wake = Math.min(deadline, info.seenAt ?? deadline)
    await sleep(Math.max(10, Math.min(250, wake - Date.now())))
    info = await devnet.txInfo(info.txid) ?? info
  }
  return json(200, { ...txStatusBody(info), status: 200, title: 'OK' })
}

export async function getTx (devnet: Devnet, txid: string): Promise<Reply> {
  const info = /^[0-9a-f]{64}$/.test(txid) ? await devnet.txInfo(txid) : undefined
  if (info === undefined) return arcProblem(404, 'transaction not found', txid.slice(0, 64))
  return json(200, txStatusBody(info))
}

export function policy (devnet: Devnet): Reply {
  return json(200, {
    timestamp: new Date().toISOString(),
    policy: {
      maxscriptsizepolicy: 500_000,
      maxtxsigopscountspolicy: 4_294_967_295,
      maxtxsizepolicy: 10_000_000,
      miningFee: { satoshis: devnet.feeSatoshis, bytes: devnet.feeBytes },
      standardFormatSupported: true
    }
  })
}

export function health (): Reply {
  return json(200, { healthy: true, version: 'devnet', reason: null })
}
