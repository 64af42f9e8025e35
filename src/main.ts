import { mount } from 'svelte'
import App from './ui/App.svelte'
import './ui/app.css'
import { AppController } from './app/controller.ts'

const controller = new AppController(location.origin)
mount(App, { target: document.getElementById('app')!, props: { controller } })
void controller.start()
