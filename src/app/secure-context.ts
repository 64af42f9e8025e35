// WebCrypto (the vault's key derivation and encryption) and the camera exist only in a
// secure context: https, or localhost. Opened over plain http from another device the
// app would crash at wallet creation ("reading 'importKey'"), so it is checked first.

export interface CryptoHost {
  readonly isSecureContext?: boolean
  readonly crypto?: { readonly subtle?: unknown }
}

export type ContextProblem = 'insecure' | 'no-webcrypto'

/** Why this page cannot hold a wallet, or undefined when it can. */
export function contextProblem (host: CryptoHost): ContextProblem | undefined {
  if (host.isSecureContext === false) return 'insecure'
  if (host.crypto?.subtle === undefined || host.crypto.subtle === null) return 'no-webcrypto'
  return undefined
}

/** The same page's address on this device, where the browser treats it as secure. */
export function localhostUrl (href: string): string {
  const u = new URL(href)
  u.protocol = 'http:'
  u.hostname = 'localhost'
  return u.toString()
}

/** The address with https instead of http. */
export function httpsUrl (href: string): string {
  const u = new URL(href)
  u.protocol = 'https:'
  return u.toString()
}
