import { mount } from 'svelte'
import App from './ui/App.svelte'
import './ui/app.css'
import { AppController } from './app/controller.ts'
import { registerUpdates } from './app/updates.ts'
import { watchInstall } from './app/install.ts'

const controller = new AppController(location.origin)
mount(App, { target: document.getElementById('app')!, props: { controller } })
// `bitcoin:` links arrive as ?uri=… through the manifest's protocol handler.
const launchUri = new URLSearchParams(location.search).get('uri') ?? undefined
if (launchUri !== undefined) history.replaceState(null, '', '/')
void controller.start(launchUri)
registerUpdates(u => controller.setUpdate(u))
watchInstall(o => controller.setInstall(o))
