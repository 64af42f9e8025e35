import { mount } from 'svelte'
import App from './ui/App.svelte'
import Insecure from './ui/screens/Insecure.svelte'
import './ui/app.css'
import { AppController } from './app/controller.ts'
import { registerUpdates } from './app/updates.ts'
import { watchInstall } from './app/install.ts'
import { contextProblem, httpsUrl, localhostUrl } from './app/secure-context.ts'
import { guardLeaving } from './app/leave-guard.ts'

const target = document.getElementById('app')!
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
  void controller.start(launchUri)
  registerUpdates(u => controller.setUpdate(u))
  watchInstall(o => controller.setInstall(o))
  guardLeaving(window, () => controller.paymentInFlight())
}
