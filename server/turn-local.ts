// `npm start`'s TURN: use an external coturn when configured, else start turnserver here
// (when installed) with a fresh random secret, else say how to get one.
import { randomBytes } from 'node:crypto'
import { coturnInstalled, iceConfigFromEnv, INSTALL_COTURN, startCoturn, type IceConfig, type RunningCoturn } from './turn.ts'

export interface LocalTurn { ice: IceConfig, describe: string, close: () => Promise<void> }

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

export async function startLocalTurn (env: NodeJS.ProcessEnv, host: string): Promise<LocalTurn | undefined> {
  if (env.HANDOVER_TURN_SECRET !== undefined && env.HANDOVER_TURN_SECRET !== '') {
    const ice = iceConfigFromEnv(env)
    if (ice.turnUrls.length === 0) console.warn('HANDOVER_TURN_SECRET is set but HANDOVER_TURN_URLS is empty: handing out STUN only.')
    return { ice, describe: `TURN credentials for ${ice.turnUrls.join(' ') || '(no TURN URLs)'} (valid ${ice.ttlS} s)`, close: async () => {} }
  }
  if (env.HANDOVER_TURN === '0') return undefined
  if (!coturnInstalled(env.HANDOVER_TURNSERVER)) {
    console.log(INSTALL_COTURN)
    return undefined
  }
  const loopback = LOOPBACK.has(host)
  const wildcard = host === '0.0.0.0' || host === '::'
  const peers = loopback ? 'loopback' : env.HANDOVER_TURN_PEERS === 'any' ? 'any' : 'public'
  let running: RunningCoturn
  try {
    running = await startCoturn({
      secret: randomBytes(24).toString('base64url'),
      ...(wildcard ? {} : { listen: [host === 'localhost' ? '127.0.0.1' : host] }),
      port: Number(env.HANDOVER_TURN_PORT ?? 3478),
      peers,
      ...(env.HANDOVER_TURN_EXTERNAL_IP !== undefined ? { externalIp: env.HANDOVER_TURN_EXTERNAL_IP } : {}),
      ...(env.HANDOVER_TURNSERVER !== undefined ? { bin: env.HANDOVER_TURNSERVER } : {})
    })
  } catch (e) {
    console.warn(`TURN is off: ${(e as Error).message.split('\n')[0]} (set HANDOVER_TURN_PORT to another port, or HANDOVER_TURN=0).`)
    return undefined
  }
  const ice = iceConfigFromEnv(env, { secret: running.secret, port: running.port })
  return {
    ice,
    describe: `TURN/STUN (coturn) on ${host}:${running.port} UDP+TCP, relaying to ${peers === 'public' ? 'public addresses only' : peers === 'loopback' ? 'loopback and public addresses' : 'any address'}; phones get credentials valid ${ice.ttlS} s`,
    close: running.close
  }
}
