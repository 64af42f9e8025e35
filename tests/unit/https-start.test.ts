// Issue 13: phones need a secure context (camera, WebCrypto), so `HTTPS=1 npm start` serves
// the app, devnet and signalling over TLS with a certificate made at start for this machine's
// LAN addresses, and says where phones open it and which fingerprint to expect.
import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { get } from 'node:https'
import { resolve } from 'node:path'
import WebSocket from 'ws'
import { startAppServer } from '../../server/app-server.ts'
import { httpsBanner, selfSignedCert } from '../../server/tls-cert.ts'

describe('self-signed certificate', () => {
  it('names localhost, 127.0.0.1 and the LAN addresses it was made for, for 30 days, with the fingerprint browsers show', async () => {
    const now = new Date()
    const id = await selfSignedCert(['192.0.2.7'], now)
    const x = new X509Certificate(id.cert)
    expect(x.checkIP('192.0.2.7')).toBe('192.0.2.7')
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(x.checkHost('localhost')).toBe('localhost')
    expect(x.checkIP('192.0.2.8')).toBeUndefined()
    expect(x.checkPrivateKey((await import('node:crypto')).createPrivateKey(id.key))).toBe(true)
    const days = (new Date(x.validTo).getTime() - now.getTime()) / 86_400_000
    expect(days).toBeGreaterThan(29)
    expect(days).toBeLessThan(31)
    expect(id.fingerprint).toBe(x.fingerprint256)
  })

  it('serves the app and the signalling socket over TLS that a client trusting only this certificate accepts', async () => {
    const id = await selfSignedCert([])
    const srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: resolve('public'), tls: id, signalling: {} })
    try {
      expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      const status = await new Promise<number | undefined>((done, fail) => {
        get(srv.url + '/icon.svg', { ca: id.cert }, res => { res.resume(); done(res.statusCode) }).on('error', fail)
      })
      expect(status).toBe(200)
      const ws = new WebSocket(srv.url.replace(/^https/, 'wss') + '/signal', { ca: id.cert })
      await new Promise<void>((done, fail) => { ws.once('open', () => done()); ws.once('error', fail) })
      ws.close()
      // And a client that does not trust it is refused: it is TLS for real, not a plain socket.
      const refused = await new Promise<string>(done => {
        get(srv.url + '/', res => { res.resume(); done('accepted') }).on('error', e => done((e as NodeJS.ErrnoException).code ?? e.message))
      })
      expect(refused).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
    } finally {
      await srv.close()
    }
  })

  it('tells where phones open it and what fingerprint to compare', () => {
    const lines = httpsBanner(8787, '0.0.0.0', ['192.168.1.20'], 'AB:CD')
    expect(lines[0]).toBe('On a phone on the same Wi-Fi: https://192.168.1.20:8787/')
    expect(lines).toContain('Self-signed certificate, SHA-256 AB:CD')
    expect(httpsBanner(8787, '0.0.0.0', [], 'AB')[0]).toMatch(/No LAN address/)
    expect(httpsBanner(8787, '127.0.0.1', ['192.168.1.20'], 'AB')[0]).toMatch(/HOST=0\.0\.0\.0/)
  })
})

describe('HTTPS=1 npm start', () => {
  it('starts over https and prints the URL and the certificate fingerprint', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('server/main.ts')], {
      env: { ...process.env, HTTPS: '1', HOST: '127.0.0.1', PORT: '0', HANDOVER_DEVNET: '0', HANDOVER_SIGNALLING: '0', HANDOVER_STATIC_DIR: resolve('public') },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    child.stdout.on('data', (b: Buffer) => { out += b.toString() })
    child.stderr.on('data', (b: Buffer) => { out += b.toString() })
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/)
      expect(out).toMatch(/Handover is running at https:\/\/127\.0\.0\.1:\d+\//)
      expect(out).not.toMatch(/Error|\n\s+at /)
    } finally {
      child.kill('SIGTERM')
    }
  })
})
