// The screens after unlock (home, pay, receive, settings) are a separate chunk: the first
// screen (lock or welcome) never waits for them. Loaded once, shared by App.svelte and the
// preload in main.ts.
import type { Component } from 'svelte'
import type { AppController } from '../app/controller.ts'

type HomeScreen = Component<{ controller: AppController, version: number }>
let home: Promise<HomeScreen> | undefined

export async function loadHome (): Promise<HomeScreen> {
  home ??= import('./screens/Home.svelte').then(m => m.default as HomeScreen).catch((e: unknown) => { home = undefined; throw e })
  return await home
}
