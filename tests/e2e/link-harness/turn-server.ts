// Starts Debian's coturn (`turnserver`) for a test, on this machine's own network address
// (Chromium gathers on non-loopback interfaces), with a fixed long-term user. Undefined
// when coturn is not installed. Tests only: the deployed TURN service is server/turn*.
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { networkInterfaces } from 'node:os'

export const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver'

export interface TurnServer {
  iceServers: RTCIceServer[]
  close: () => Promise<void>
}

async function freeUdpPort (host: string): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>(r => s.bind(0, host, () => r()))
  const port = s.address().port
  await new Promise<void>(r => s.close(() => r()))
  return port
}

export function lanAddress (): string | undefined {
  return Object.values(networkInterfaces()).flat().find(i => i !== undefined && i.family === 'IPv4' && !i.internal)?.address
}

export async function startTurn (): Promise<TurnServer | undefined> {
  const host = lanAddress()
  if (!existsSync(TURNSERVER) || host === undefined) return undefined
  const port = await freeUdpPort(host)
  const proc: ChildProcess = spawn(TURNSERVER, [
    '-n', '--listening-ip', host, '--relay-ip', host, '--listening-port', String(port),
    '--min-port', '49152', '--max-port', '65535', '--lt-cred-mech', '--user', 'test:test', '--realm', 'handover.test',
    '--no-tls', '--no-dtls', '--no-cli', '--log-file', 'stdout', '--simple-log'
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  // Ready once it logs that it listens (or after a short wait on a quieter build).
  await new Promise<void>(resolve => {
    const t = setTimeout(resolve, 1500)
    proc.stdout?.on('data', (d: Buffer) => { if (/listener opened|Total auth threads/i.test(String(d))) { clearTimeout(t); resolve() } })
    proc.on('exit', () => { clearTimeout(t); resolve() })
  })
  if (proc.exitCode !== null) return undefined
  return {
    iceServers: [{ urls: `turn:${host}:${port}?transport=udp`, username: 'test', credential: 'test' }],
    close: async () => {
      if (proc.exitCode !== null) return
      await new Promise<void>(r => { proc.once('exit', () => r()); proc.kill('SIGTERM') })
    }
  }
}
