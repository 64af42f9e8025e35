// A signalling proxy for tests and benchmarks: passes everything through to the real
// service, but every ICE candidate either phone sends now names an address where nothing
// answers (127.0.0.1 port 9). Both phones have candidates and no check ever gets a
// response, as between two phones behind NATs that keep each other out.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import WebSocket, { WebSocketServer } from 'ws'

export interface BlackholeProxy {
  url: string
  close: () => Promise<void>
}

export async function blackholeProxy (signalUrl: string): Promise<BlackholeProxy> {
  const server = createServer()
  const wss = new WebSocketServer({ server, path: '/signal' })
  const rewrite = (d: WebSocket.RawData, bin: boolean): WebSocket.RawData | string => bin
    ? d
    : String(d).replace(/(candidate:\S+ \d+ \S+ \d+ )\S+ \d+( typ)/g, '$1127.0.0.1 9$2')
  wss.on('connection', down => {
    const up = new WebSocket(signalUrl)
    const queue: Array<[WebSocket.RawData | string, boolean]> = []
    up.on('open', () => { queue.splice(0).forEach(([d, bin]) => up.send(d, { binary: bin })) })
    down.on('message', (d, bin) => {
      const out = rewrite(d, bin)
      if (up.readyState === WebSocket.OPEN) up.send(out, { binary: bin }); else queue.push([out, bin])
    })
    up.on('message', (d, bin) => { down.send(rewrite(d, bin), { binary: bin }) })
    down.on('close', () => up.close()); up.on('close', () => down.close())
    up.on('error', () => {}); down.on('error', () => {})
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`,
    async close () {
      // upgraded sockets are not the HTTP server's to close: a relay link may still hold some
      for (const c of wss.clients) c.terminate()
      server.closeAllConnections()
      await new Promise<void>(r => server.close(() => r()))
    }
  }
}
