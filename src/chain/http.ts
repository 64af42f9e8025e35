/** A network call failed before any answer: the device is offline or the host is unreachable. */
export class NetworkDown extends Error {
  constructor (what: string) { super(`Could not reach ${what}. Check the connection; Handover will retry by itself.`) }
}

export async function request (url: string, init: RequestInit, what: string, timeoutMs = 15_000): Promise<Response> {
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(), timeoutMs)
  try {
    return await fetch(url, { ...init, signal: ctl.signal, credentials: 'omit', referrerPolicy: 'no-referrer' })
  } catch {
    throw new NetworkDown(what)
  } finally {
    clearTimeout(timer)
  }
}

export function hostOf (url: string): string {
  try { return new URL(url).host } catch { return url }
}
