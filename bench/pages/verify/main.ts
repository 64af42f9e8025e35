// The payee's verification as the app runs it (verifyInWorker), in real Chromium: a
// typical payment, and the costliest ones the limits allow, while a 5 ms timer on the
// main thread measures the longest time the page could not run anything.
import { LockingScript } from '@bsv/sdk'
import { verifyInWorker, warmVerifier } from '../../../src/app/verify-in-worker.ts'
import { DEFAULT_VERIFY_LIMITS, type VerificationResult, type VerifyPaymentInput } from '../../../src/core/protocol/index.ts'
import {
  FakeChainTracker, NOW, PAYEE, PAYER, bombLockingScript, makePayment, makeRequest, minedParent, minedScriptParent,
  p2pkhHex, spend, spendBomb, threeInputScenario
} from '../../../tests/unit/protocol-fixtures.ts'

export interface Run { name: string, ms: number, outcome: string, maxBlockMs: number, beefBytes: number }
declare global {
  interface Window {
    verifyBench: {
      typical: (runs: number) => Promise<number[]>
      worst: () => Promise<Run[]>
      /** The CPU bomb with the core's cost meter switched off: only the worker's time budget stops it. */
      unmetered: (budgetMs: number) => Promise<Run & { detail: string }>
    }
  }
}

const base = { network: 'devnet' as const, nowSec: NOW, feeRateSatPerKb: 100 }
const outcome = (r: VerificationResult): string => r.kind === 'rejected' ? `rejected ${r.reason}` : r.kind

async function measured (name: string, input: VerifyPaymentInput, budgetMs?: number): Promise<Run & { detail: string }> {
  let last = performance.now()
  let maxBlockMs = 0
  const id = setInterval(() => { const now = performance.now(); maxBlockMs = Math.max(maxBlockMs, now - last - 5); last = now }, 5)
  const t0 = performance.now()
  const r = await verifyInWorker(input, budgetMs)
  const ms = performance.now() - t0
  // One more tick, so a stall at the very end is seen too.
  await new Promise(resolve => setTimeout(resolve, 20))
  clearInterval(id)
  return { name, ms, outcome: outcome(r), maxBlockMs: Math.max(0, maxBlockMs), beefBytes: input.payment.beef.length / 2, detail: r.kind === 'rejected' ? r.detail : '' }
}

window.verifyBench = {
  async typical (runs) {
    warmVerifier()
    const s = await threeInputScenario()
    const input = { ...base, request: s.request, payment: s.payment, chainTracker: s.tracker }
    const times: number[] = []
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now()
      const r = await verifyInWorker(input)
      if (r.kind !== 'accepted') throw new Error(`typical payment not accepted: ${outcome(r)}`)
      if (i >= 3) times.push(performance.now() - t0)
    }
    return times
  },

  async worst () {
    const runs: Run[] = []
    const want = { script: p2pkhHex(PAYEE), satoshis: 12_345 }
    const request = makeRequest({}, [want])

    // 1. The largest CPU bomb that fits: a really mined parent whose 500 kB locking script
    //    hashes a 4 MB item ~170,000 times (hours, unbounded).
    {
      const tracker = new FakeChainTracker()
      const rounds = Math.floor((DEFAULT_VERIFY_LIMITS.maxBeefBytes - 2_000) / 3)
      const parent = minedScriptParent(bombLockingScript(rounds), [50_000], 900_000, tracker)
      const payment = makePayment(spendBomb(parent, want).toHexBEEF())
      runs.push(await measured('cpu bomb, 500 kB script', { ...base, request, payment, chainTracker: tracker }))
    }

    // 2. The most signature checks the budget accepts: one mined parent, N P2PKH inputs.
    {
      const tracker = new FakeChainTracker()
      const n = 300
      const parent = minedParent(PAYER, new Array<number>(n).fill(1_000), 900_001, tracker)
      const tx = await spend(Array.from({ length: n }, (_, vout) => ({ tx: parent, vout })), { outputs: [{ script: want.script, satoshis: 12_345 }] })
      runs.push(await measured(`${n} P2PKH inputs`, { ...base, request, payment: makePayment(tx.toHexBEEF()), chainTracker: tracker }))
    }

    // 3. Hashing just under budget, accepted: ~1 MB hashed 20 times.
    {
      const tracker = new FakeChainTracker()
      const lock = LockingScript.fromHex('767e'.repeat(20) + '76a875'.repeat(20) + '7551')
      const parent = minedScriptParent(lock, [50_000], 900_002, tracker)
      runs.push(await measured('1 MB hashed 20 times', { ...base, request, payment: makePayment(spendBomb(parent, want).toHexBEEF()), chainTracker: tracker }))
    }
    return runs
  },

  async unmetered (budgetMs) {
    const tracker = new FakeChainTracker()
    const want = { script: p2pkhHex(PAYEE), satoshis: 12_345 }
    const parent = minedScriptParent(bombLockingScript(20_000), [50_000], 900_003, tracker)
    const payment = makePayment(spendBomb(parent, want).toHexBEEF())
    return await measured('unmetered cpu bomb', { ...base, request: makeRequest({}, [want]), payment, chainTracker: tracker, limits: { maxScriptCost: Number.MAX_SAFE_INTEGER } }, budgetMs)
  }
}
document.getElementById('status')!.textContent = 'ready'
