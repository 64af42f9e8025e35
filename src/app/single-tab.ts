// One tab at a time: two tabs would each run an outbox and could sign with the same
// coins. The Web Locks API gives the lock to the first tab; others are told, not allowed in.

/**
 * How long a tab waits for the lock before it says another tab has the wallet. A tab that
 * was just closed (or the page this one replaces on reload) gives its lock back a moment
 * after it is gone, not at once; without this wait a reload right after closing the other
 * tab was refused.
 */
const RELEASE_GRACE_MS = 1500

export async function holdSingleTabLock (name = 'handover-wallet', waitMs = RELEASE_GRACE_MS): Promise<boolean> {
  if (!('locks' in navigator)) return true
  const giveUp = new AbortController()
  const timer = setTimeout(() => { giveUp.abort() }, waitMs)
  return await new Promise<boolean>(resolve => {
    // The signal only ends the wait: once granted, the lock is held until the tab closes.
    navigator.locks.request(name, { signal: giveUp.signal }, async () => {
      clearTimeout(timer)
      resolve(true)
      await new Promise<never>(() => {})
    }).catch(() => { resolve(false) })
  })
}
