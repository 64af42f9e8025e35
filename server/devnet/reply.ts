// Route handlers return a Reply instead of writing to the socket, so the fault API can
// replace any answer (apply: true) and the dispatcher writes every answer the same way.
import type { ServerResponse } from 'node:http'

export interface Reply {
  status: number
  headers?: Record<string, string>
  /** JSON unless `text` is set. */
  body?: unknown
  text?: string
}

export function json (status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers }
}

export function text (status: number, body: string, headers?: Record<string, string>): Reply {
  return { status, text: body, headers }
}

export function writeReply (res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return
  const isText = reply.text !== undefined
  const payload = isText ? reply.text! : (reply.body === undefined ? '' : JSON.stringify(reply.body))
  const lower: Record<string, string> = {}
  for (const [k, v] of Object.entries(reply.headers ?? {})) lower[k.toLowerCase()] = v
  res.writeHead(reply.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...extraHeaders,
    ...lower
  })
  res.end(payload)
}
