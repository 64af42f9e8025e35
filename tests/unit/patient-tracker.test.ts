import { describe, expect, it } from 'vitest'
import type { ChainTracker } from '@bsv/sdk'
import { patientTracker } from '../../src/app/patient-tracker.ts'
import { verifyPayment } from '../../src/core/protocol/index.ts'
import { NOW, threeInputScenario } from './protocol-fixtures.ts'

/** A header service that answers 429 `busyFor` times, then tells the truth. */
function busyThenFine (truth: ChainTracker, busyFor: number): ChainTracker & { calls: number } {
  const t = {
    calls: 0,
    isValidRootForHeight: async (root: string, height: number) => {
      t.calls++
      if (t.calls <= busyFor) throw new Error('The chain data service is rate limiting us (HTTP 429).')
      return await truth.isValidRootForHeight(root, height)
    },
    currentHeight: async () => await truth.currentHeight()
  }
  return t
}

describe('payee header checks while online (issue 9 item 5)', () => {
  const noSleep = async (): Promise<void> => {}

  it('a brief 429 is retried and the payment accepted with verified proofs', async () => {
    const s = await threeInputScenario()
    const flaky = busyThenFine(s.tracker, 2)
    const chainTracker = patientTracker(flaky, { delaysMs: [1, 1], offline: () => false, sleep: noSleep })
    const r = await verifyPayment({ request: s.request, payment: s.payment, network: 'devnet', nowSec: NOW, feeRateSatPerKb: 100, chainTracker })
    expect(r.kind === 'accepted' && r.proofs).toBe('verified')
    expect(flaky.calls).toBe(5)
  })

  it('a service that keeps answering 429 gets the payment refused as PROOFS_UNAVAILABLE, never accepted unchecked', async () => {
    const s = await threeInputScenario()
    const busy = busyThenFine(s.tracker, Infinity)
    const chainTracker = patientTracker(busy, { delaysMs: [1, 1], offline: () => false, sleep: noSleep })
    const r = await verifyPayment({ request: s.request, payment: s.payment, network: 'devnet', nowSec: NOW, feeRateSatPerKb: 100, chainTracker })
    expect(r).toMatchObject({ kind: 'rejected', reason: 'PROOFS_UNAVAILABLE' })
    expect(busy.calls).toBe(3)
  })

  it('stops retrying at once when the device turns out to be offline', async () => {
    const s = await threeInputScenario()
    const busy = busyThenFine(s.tracker, Infinity)
    const chainTracker = patientTracker(busy, { delaysMs: [1, 1], offline: () => true, sleep: noSleep })
    await expect(chainTracker.isValidRootForHeight('00', 1)).rejects.toThrow(/429/)
    expect(busy.calls).toBe(1)
  })
})
