// A self-signed certificate for trying Handover on phones over the LAN (`HTTPS=1 npm start`).
// Phones allow WebCrypto and the camera only in a secure context: plain http from another
// device has neither. Made fresh at each start, valid for localhost and this machine's LAN
// addresses; the phone is told once to trust it (README: "Trying it on phones").
import { createHash, X509Certificate } from 'node:crypto'
import { networkInterfaces } from 'node:os'
import { generate } from 'selfsigned'

export interface TlsIdentity {
  key: string
  cert: string
  /** SHA-256 of the certificate, as browsers show it (AA:BB:…), to compare on the phone. */
  fingerprint: string
}

/** This machine's IPv4 LAN addresses (not loopback, not link-local). */
export function lanAddresses (): string[] {
  const out: string[] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) out.push(a.address)
    }
  }
  return out
}

/** An EC P-256 certificate for `localhost`, 127.0.0.1 and `ips`, valid for 30 days from now. */
export async function selfSignedCert (ips: readonly string[] = lanAddresses(), now = new Date()): Promise<TlsIdentity> {
  const until = new Date(now.getTime() + 30 * 24 * 3600_000)
  const made = await generate([{ name: 'commonName', value: 'Handover on this computer' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: until,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, ...['127.0.0.1', ...ips].map(ip => ({ type: 7 as const, ip }))] }
    ]
  })
  const der = new X509Certificate(made.cert).raw
  const fingerprint = createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':')
  return { key: made.private, cert: made.cert, fingerprint }
}

/** What `npm start` prints about HTTPS: where phones open it, and the fingerprint to check. */
export function httpsBanner (port: number | string, host: string, ips: readonly string[], fingerprint: string): string[] {
  const lines: string[] = []
  const everywhere = host === '0.0.0.0' || host === '::'
  if (everywhere) for (const ip of ips) lines.push(`On a phone on the same Wi-Fi: https://${ip}:${port}/`)
  if (everywhere && ips.length === 0) lines.push('No LAN address found on this computer: connect it to the Wi-Fi the phones use.')
  if (!everywhere) lines.push(`Only this computer can open it (HOST=${host}); for phones, start with HOST=0.0.0.0.`)
  lines.push(`Self-signed certificate, SHA-256 ${fingerprint}`)
  lines.push('The phone warns that the connection is not private: compare the fingerprint, then choose to proceed (README: "Trying it on phones").')
  return lines
}
