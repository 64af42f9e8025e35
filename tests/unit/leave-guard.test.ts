import { describe, expect, it } from 'vitest'
import { guardLeaving } from '../../src/app/leave-guard.ts'

function leave (target: EventTarget): boolean {
  const e = new Event('beforeunload', { cancelable: true })
  target.dispatchEvent(e)
  return e.defaultPrevented
}

describe('leave-page warning', () => {
  it('asks before leaving only while a payment is in flight, and stops when released', () => {
    const win = new EventTarget()
    let busy = false
    const stop = guardLeaving(win, () => busy)
    expect(leave(win)).toBe(false)
    busy = true
    expect(leave(win)).toBe(true)
    busy = false
    expect(leave(win)).toBe(false)
    busy = true
    stop()
    expect(leave(win)).toBe(false)
  })
})
