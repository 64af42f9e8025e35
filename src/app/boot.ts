// The first code the entry runs (src/main.ts imports it before Svelte and the screens): it
// starts the controller, whose IndexedDB and Web Locks requests then run in the browser
// while the rest of the entry evaluates, instead of after it. Which screen comes first
// (welcome, lock, other tab) is known sooner.
import { AppController } from './controller.ts'
import { contextProblem, type ContextProblem } from './secure-context.ts'

export type Boot =
  /** This page cannot hold a wallet (no WebCrypto): nothing was started. */
  | { problem: ContextProblem }
  /** `started` settles when the controller knows its first phase. */
  | { problem?: undefined, controller: AppController, started: Promise<void> }

export function boot (): Boot {
  const problem = contextProblem(window)
  if (problem !== undefined) return { problem }
  const controller = new AppController(location.origin)
  // `bitcoin:` links arrive as ?uri=… through the manifest's protocol handler.
  const launchUri = new URLSearchParams(location.search).get('uri') ?? undefined
  if (launchUri !== undefined) history.replaceState(null, '', '/')
  return { controller, started: controller.start(launchUri) }
}

export const booted: Boot = boot()
