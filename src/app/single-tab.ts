// One tab at a time: two tabs would each run an outbox and could sign with the same
// coins. The Web Locks API gives the lock to the first tab; others are told, not allowed in.
export async function holdSingleTabLock (name = 'handover-wallet'): Promise<boolean> {
  if (!('locks' in navigator)) return true
  return await new Promise<boolean>(resolve => {
    void navigator.locks.request(name, { ifAvailable: true }, async lock => {
      if (lock === null) { resolve(false); return }
      resolve(true)
      // Held until the tab closes.
      await new Promise<never>(() => {})
    })
  })
}
