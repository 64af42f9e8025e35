// First: starts the controller's storage requests before the rest of the entry evaluates.
import { booted } from './app/boot.ts'
import { mount } from 'svelte'
import App from './ui/App.svelte'
import Insecure from './ui/screens/Insecure.svelte'
import './ui/app.css'
import { registerUpdates } from './app/updates.ts'
import { watchInstall } from './app/install.ts'
import { httpsUrl, localhostUrl } from './app/secure-context.ts'
import { guardLeaving } from './app/leave-guard.ts'
import { loadHome } from './ui/lazy-screens.ts'

/** Runs fn once the next frame has painted: a download started then never delays the first screen. */
function afterPaint (fn: () => void): void {
  requestAnimationFrame(() => { setTimeout(fn, 0) })
}

/**
 * Runs fn after the page's `load` event, in idle time: registering the service worker starts
 * its precache download and script evaluation, which must not compete with the first screen.
 */
function afterLoadIdle (fn: () => void): void {
  const idle = (): void => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 3000 })
    else setTimeout(fn, 200)
  }
  if (document.readyState === 'complete') idle()
  else addEventListener('load', idle, { once: true })
}

/** Runs fn once, on the first touch, key press or focus anywhere on the page. */
function onFirstTouch (fn: () => void): void {
  let done = false
  const events = ['pointerdown', 'keydown', 'focusin'] as const
  const once = (): void => {
    if (done) return
    done = true
    for (const e of events) removeEventListener(e, once, true)
    fn()
  }
  for (const e of events) addEventListener(e, once, { capture: true, passive: true })
}

const target = document.getElementById('app')!
if (booted.problem !== undefined) {
  // Without WebCrypto no wallet can be made or opened: explain instead of crashing later.
  target.replaceChildren()
  mount(Insecure, { target, props: { problem: booted.problem, https: httpsUrl(location.href), localhost: localhostUrl(location.href) } })
} else {
  const { controller, started } = booted
  // The app is mounted once the controller knows which screen comes first (a few IndexedDB
  // reads, started by boot.ts): the static shell of index.html, which looks like the loading
  // state, stays until then. One render of the real first screen, in its own task after the
  // script's evaluation, instead of a render of the loading state inside that long task and a
  // second render after the reads.
  void started.catch(() => undefined).then(() => {
    target.replaceChildren()
    mount(App, { target, props: { controller } })
  })
  // The SDK, BIP39 and the screens after unlock load while the person reads or types.
  const preload = (): void => {
    void controller.preload().catch(() => undefined)
    void loadHome().catch(() => undefined)
  }
  void started.then(() => {
    // The lock screen: the person is about to type the passphrase, and unlock needs the SDK.
    if (controller.phase === 'locked') afterPaint(preload)
    // The welcome screen is read first, and evaluating the SDK and the home screen's code is
    // a long task on a slow phone (~0.3 s at 4× CPU) that would make it stutter: it waits for
    // the first touch, key or focus. The download itself needs no waiting: the service worker
    // precaches every chunk after load, so the tap that needs the code finds it on the phone.
    // The home screen's code comes after, in its own task, so the tap is answered first.
    else onFirstTouch(() => { void controller.preload().then(() => afterPaint(() => { void loadHome().catch(() => undefined) }), () => undefined) })
  })
  afterLoadIdle(() => registerUpdates(u => controller.setUpdate(u)))
  watchInstall(o => controller.setInstall(o))
  guardLeaving(window, () => controller.paymentInFlight())
}
