import { mount } from 'svelte'
import App from './ui/App.svelte'
import Insecure from './ui/screens/Insecure.svelte'
import './ui/app.css'
import { AppController } from './app/controller.ts'
import { registerUpdates } from './app/updates.ts'
import { watchInstall } from './app/install.ts'
import { contextProblem, httpsUrl, localhostUrl } from './app/secure-context.ts'
import { guardLeaving } from './app/leave-guard.ts'
import { loadHome } from './ui/lazy-screens.ts'

/** Runs fn once the next frame has painted: a download started then never delays the first screen. */
function afterPaint (fn: () => void): void {
  requestAnimationFrame(() => { setTimeout(fn, 0) })
}

const target = document.getElementById('app')!
// index.html paints a static shell before any script runs; the app takes its place.
target.replaceChildren()
const problem = contextProblem(window)
if (problem !== undefined) {
  // Without WebCrypto no wallet can be made or opened: explain instead of crashing later.
  mount(Insecure, { target, props: { problem, https: httpsUrl(location.href), localhost: localhostUrl(location.href) } })
} else {
  const controller = new AppController(location.origin)
  mount(App, { target, props: { controller } })
  // `bitcoin:` links arrive as ?uri=… through the manifest's protocol handler.
  const launchUri = new URLSearchParams(location.search).get('uri') ?? undefined
  if (launchUri !== undefined) history.replaceState(null, '', '/')
  // The SDK, BIP39 and the screens after unlock load while the person reads or types.
  void controller.start(launchUri).then(() => afterPaint(() => {
    void controller.preload().catch(() => undefined)
    void loadHome().catch(() => undefined)
  }))
  registerUpdates(u => controller.setUpdate(u))
  watchInstall(o => controller.setInstall(o))
  guardLeaving(window, () => controller.paymentInFlight())
}
