// Lets the e2e tests call the harness API with types.
import type { HarnessApi } from './harness.ts'
declare global {
  interface Window { h: HarnessApi }
}
export {}
