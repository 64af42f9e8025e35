// Uncaught errors in any app page of a test file: recorded as they happen and checked
// after each test, so a screen that throws fails its test instead of a log line.
import { afterEach, expect } from 'vitest'
import type { Page } from 'playwright-core'

const seen: string[] = []

export function recordPageErrors (page: Page, name: string): void {
  page.on('pageerror', e => { seen.push(`[${name}] ${e.message}`) })
}

/** Registers the check for the calling test file. */
export function failOnPageErrors (): void {
  afterEach(() => { expect(seen.splice(0), 'uncaught errors in the app').toEqual([]) })
}
