import { Hash, LockingScript, MerklePath, P2PKH, PrivateKey, SatoshisPerKilobyte, Transaction, UnlockingScript, Utils } from '@bsv/sdk'
import type { ChainTracker } from '@bsv/sdk'
import type { Network, Output, PaymentMessage, RequestMessage } from '../../src/core/protocol/index.ts'

/**
 * Real transactions, real signatures and real merkle paths for protocol tests: the
 * only fake is the chain itself, a tracker that knows the roots of blocks we built.
 */

export const PAYER = PrivateKey.fromHex('1'.repeat(63) + '7')
export const PAYEE = PrivateKey.fromHex('2'.repeat(63) + '9')
export const PAYEE_ID = PrivateKey.fromHex('3'.repeat(63) + 'b')
export const STRANGER = PrivateKey.fromHex('4'.repeat(63) + 'd')
export const NOW = 1_760_000_000
export const PAYMENT_ID = 'pay_0123456789abcdef'

export function p2pkhHex (key: PrivateKey): string {
  return new P2PKH().lock(key.toPublicKey().toAddress()).toHex()
}

const dsha = (hexBE: string): string => Utils.toHex(Hash.hash256(Utils.toArray(hexBE, 'hex').reverse()).reverse())

/** One level up the tree, the Bitcoin way: pairs hashed, an odd last node paired with itself. */
function parentLevel (level: string[]): string[] {
  const next: string[] = []
  for (let i = 0; i < level.length; i += 2) {
    const l = level[i] as string
    const r = level[i + 1] ?? l
    next.push(dsha(r + l))
  }
  return next
}

/** Merkle root computed the Bitcoin way, independently of MerklePath. */
export function merkleRoot (txids: string[]): string {
  let level = txids.slice()
  while (level.length > 1) level = parentLevel(level)
  return level[0] as string
}

/** BUMP for one txid in a block of `txids`. */
export function merklePathFor (txids: string[], index: number, height: number): MerklePath {
  const path: Array<Array<{ offset: number, hash?: string, txid?: boolean, duplicate?: boolean }>> = []
  let level = txids.slice()
  let idx = index
  for (let h = 0; level.length > 1; h++) {
    const sib = idx ^ 1
    const leaves: Array<{ offset: number, hash?: string, txid?: boolean, duplicate?: boolean }> = []
    if (h === 0) leaves.push({ offset: idx, hash: level[idx] as string, txid: true })
    if (sib < level.length) leaves.push({ offset: sib, hash: level[sib] as string })
    else leaves.push({ offset: sib, duplicate: true })
    leaves.sort((a, b) => a.offset - b.offset)
    path.push(leaves)
    level = parentLevel(level)
    idx = idx >> 1
  }
  return new MerklePath(height, path)
}

export class FakeChainTracker implements ChainTracker {
  readonly roots = new Map<number, string>()
  calls = 0
  async isValidRootForHeight (root: string, height: number): Promise<boolean> {
    this.calls++
    return this.roots.get(height) === root
  }

  async currentHeight (): Promise<number> {
    return Math.max(0, ...this.roots.keys())
  }
}

let fillerCounter = 0
function fillerTxid (): string {
  fillerCounter++
  return Utils.toHex(Hash.sha256(Utils.toArray(`filler-${fillerCounter}`, 'utf8')))
}

/**
 * A mined parent paying `amounts` to `key`, with a merkle path in a 5-tx block at
 * `height` that `tracker` knows.
 */
export function minedParent (key: PrivateKey, amounts: number[], height: number, tracker?: FakeChainTracker): Transaction {
  return minedScriptParent(new P2PKH().lock(key.toPublicKey().toAddress()), amounts, height, tracker)
}

/** Like minedParent, with any locking script on its outputs. Without `tracker` its proof is one no chain knows. */
export function minedScriptParent (lockingScript: LockingScript, amounts: number[], height: number, tracker?: FakeChainTracker): Transaction {
  const tx = new Transaction()
  tx.addInput({
    sourceTXID: fillerTxid(),
    sourceOutputIndex: 0,
    unlockingScript: UnlockingScript.fromHex('00'),
    sequence: 0xffffffff
  })
  for (const satoshis of amounts) tx.addOutput({ lockingScript, satoshis })
  const txid = tx.id('hex')
  const block = [fillerTxid(), fillerTxid(), txid, fillerTxid(), fillerTxid()]
  const mp = merklePathFor(block, 2, height)
  if (mp.computeRoot(txid) !== merkleRoot(block)) throw new Error('fixture merkle maths disagree with the SDK')
  tx.merklePath = mp
  tracker?.roots.set(height, merkleRoot(block))
  return tx
}

export interface SpendOptions {
  readonly key?: PrivateKey
  readonly outputs: Array<{ script: string, satoshis: number }>
  readonly feeRate?: number
  readonly change?: boolean
  readonly lockTime?: number
  readonly sequence?: number
  /** Signature scope of every input (default ALL|FORKID). */
  readonly signOutputs?: 'all' | 'none' | 'single'
  readonly anyoneCanPay?: boolean
}

/** Spends output 0.. of each parent (the `vouts` given) with P2PKH, real signatures. */
export async function spend (sources: Array<{ tx: Transaction, vout: number }>, opts: SpendOptions): Promise<Transaction> {
  const key = opts.key ?? PAYER
  const tx = new Transaction()
  for (const s of sources) {
    tx.addInput({
      sourceTransaction: s.tx,
      sourceOutputIndex: s.vout,
      unlockingScriptTemplate: new P2PKH().unlock(key, opts.signOutputs ?? 'all', opts.anyoneCanPay ?? false),
      ...(opts.sequence !== undefined ? { sequence: opts.sequence } : {})
    })
  }
  for (const o of opts.outputs) {
    tx.addOutput({ lockingScript: LockingScript.fromHex(o.script), satoshis: o.satoshis })
  }
  if (opts.change !== false) tx.addOutput({ lockingScript: new P2PKH().lock(key.toPublicKey().toAddress()), change: true })
  if (opts.lockTime !== undefined) tx.lockTime = opts.lockTime
  await tx.fee(new SatoshisPerKilobyte(opts.feeRate ?? 100))
  await tx.sign()
  return tx
}

export function makeRequest (over: Partial<RequestMessage> = {}, outputs?: Output[]): RequestMessage {
  return {
    v: 1,
    type: 'request',
    id: 'req-1',
    paymentId: PAYMENT_ID,
    network: 'devnet' satisfies Network,
    outputs: outputs ?? [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }],
    memo: 'coffee',
    creationTimestamp: NOW - 10,
    expirationTimestamp: NOW + 600,
    payeeIdentityKey: PAYEE_ID.toPublicKey().toString(),
    ...over
  }
}

export function makePayment (beef: string, over: Partial<PaymentMessage> = {}): PaymentMessage {
  return { v: 1, type: 'payment', id: 'pay-msg-1', paymentId: PAYMENT_ID, beef, ...over }
}

export interface Scenario {
  readonly tracker: FakeChainTracker
  readonly request: RequestMessage
  readonly parents: Transaction[]
  readonly tx: Transaction
  readonly payment: PaymentMessage
}

/** The benchmark case: three proven parents, one payment with change. */
export async function threeInputScenario (heightBase = 800_000): Promise<Scenario> {
  const tracker = new FakeChainTracker()
  const parents = [
    minedParent(PAYER, [5_000], heightBase, tracker),
    minedParent(PAYER, [4_000, 777], heightBase + 1, tracker),
    minedParent(PAYER, [6_000], heightBase + 2, tracker)
  ]
  const request = makeRequest({}, [{ script: p2pkhHex(PAYEE), satoshis: 12_345 }])
  const tx = await spend([{ tx: parents[0] as Transaction, vout: 0 }, { tx: parents[1] as Transaction, vout: 0 }, { tx: parents[2] as Transaction, vout: 0 }], { outputs: request.outputs })
  return { tracker, request, parents, tx, payment: makePayment(tx.toHexBEEF()) }
}

/**
 * The CPU bomb: a locking script that doubles a 1-byte item to 4 MB, then hashes it
 * `rounds` times. Without a bound on script work, 170,000 rounds fit in a 520 kB payment
 * and take hours; every round is only three bytes of script.
 */
export function bombLockingScript (rounds: number): LockingScript {
  const hex = '767e'.repeat(22) + '76a875'.repeat(rounds) + '7551'
  return LockingScript.fromHex(hex)
}

/** Spends output 0 of a bomb parent with the push its script expects; no signature needed. */
export function spendBomb (parent: Transaction, payTo: { script: string, satoshis: number }): Transaction {
  const tx = new Transaction()
  tx.addInput({ sourceTransaction: parent, sourceOutputIndex: 0, unlockingScript: UnlockingScript.fromHex('0161'), sequence: 0xffffffff })
  tx.addOutput({ lockingScript: LockingScript.fromHex(payTo.script), satoshis: payTo.satoshis })
  return tx
}
