// Service worker registration with an explicit update prompt: a new version waits
// until the user accepts it, and the UI refuses while a payment is in progress.
import { registerSW } from 'virtual:pwa-register'

export interface UpdateState {
  /** A new version is downloaded and waiting. */
  available: boolean
  /** The app shell is cached: it opens without a network. */
  offlineReady: boolean
  apply: () => Promise<void>
}

export function registerUpdates (onChange: (s: UpdateState) => void): void {
  if (!('serviceWorker' in navigator)) return
  const state: UpdateState = { available: false, offlineReady: false, apply: async () => {} }
  const update = registerSW({
    immediate: true,
    onNeedRefresh () { state.available = true; onChange({ ...state }) },
    onOfflineReady () { state.offlineReady = true; onChange({ ...state }) }
  })
  state.apply = async () => { await update(true) }
}
