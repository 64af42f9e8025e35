// Issue 4, item 6: a hostile payer. The real app (built dist/) is the payee and is driven
// through its UI in headless Chromium; the payer is the bare link harness page, which
// joins the payee's invite like a real phone and then sends crafted messages built in
// Node with @bsv/sdk from real devnet coins. Every bad payment must be refused with its
// reason code, shown as refused on the payee's screen, and leave the payee's wallet as
// it was: no balance, no ledger entry, nothing broadcast.
import { beforeAll, describe, expect, it } from 'vitest'
import { P2PKH, PrivateKey } from '@bsv/sdk'
import type { Page } from 'playwright-core'
import { reasonMessage, type ReasonCode } from '../../src/core/protocol/reasons.ts'
import { MAX_MESSAGE_BYTES, type PaymentMessage } from '../../src/core/protocol/messages.ts'
import { balanceSats, entry, mine } from './wallet-ui.ts'
import {
  alerts, arcStatus, broadcastRaw, buildTx, endRequest, fundedCoins, joinAndGetRequest, newCode,
  paymentMessage, peerHangUp, receivePhase, sendForAck, unminedChain, walletState, type Coin
} from './hostile-helpers.ts'
import { useHostileLab } from './hostile-fixture.ts'

const AMOUNT = 20_000
const lab = useHostileLab({ appPayee: true })
/** The real app (the payee) and the hostile payer's harness page, once the lab is up. */
let payee: Page
let h: Page
const payerKey = PrivateKey.fromRandom()
const strangerKey = PrivateKey.fromRandom()
/** Spent only by payments that are refused (never broadcast), then by the honest one. */
let coinA: Coin
/** Spent by the payer to itself, then handed to the payee anyway. */
let coinB: Coin

beforeAll(async () => {
  ({ payee, h } = lab)
  const coins = await fundedCoins(lab.url, payerKey, [200_000, 150_000])
  coinA = coins[0]!
  coinB = coins[1]!
})

/** A fresh request on the payee's screen, joined by the hostile payer. */
const freshRequest = async (): ReturnType<typeof lab.freshRequest> => await lab.freshRequest(AMOUNT)

async function expectUntouched (): Promise<void> {
  expect(await walletState(payee)).toEqual({ balance: 0, incoming: [] })
}

describe('a hostile payer cannot get the payee to accept a bad payment', () => {
  it('refuses wrong amount, wrong output, zero fee, a wrong-key signature, weak sighash types and unminable unmined parents, each with its reason; the wallet stays untouched', async () => {
    const cases: Array<{ name: string, reason: ReasonCode, build: (want: { script: string, satoshis: number }) => ReturnType<typeof buildTx> }> = [
      { name: 'wrong amount', reason: 'WRONG_AMOUNT', build: async w => await buildTx({ coin: coinA, signer: payerKey, changeTo: payerKey, outputs: [{ script: w.script, satoshis: w.satoshis - 1 }] }) },
      { name: 'wrong output', reason: 'WRONG_OUTPUT', build: async w => await buildTx({ coin: coinA, signer: payerKey, changeTo: payerKey, outputs: [{ script: new P2PKH().lock(strangerKey.toAddress([0x6f])).toHex(), satoshis: w.satoshis }] }) },
      { name: 'zero fee', reason: 'INSUFFICIENT_FEE', build: async w => await buildTx({ coin: coinA, signer: payerKey, changeTo: payerKey, outputs: [w], zeroFee: true }) },
      { name: 'wrong key', reason: 'INVALID_SIGNATURE', build: async w => await buildTx({ coin: coinA, signer: strangerKey, changeTo: payerKey, outputs: [w] }) },
      // Issue 9 item 6: valid signatures that do not cover every output and input.
      { name: 'SIGHASH_NONE', reason: 'UNSAFE_SIGHASH', build: async w => await buildTx({ coin: coinA, signer: payerKey, changeTo: payerKey, outputs: [w], signOutputs: 'none' }) },
      { name: 'SIGHASH_SINGLE|ANYONECANPAY', reason: 'UNSAFE_SIGHASH', build: async w => await buildTx({ coin: coinA, signer: payerKey, changeTo: payerKey, outputs: [w], signOutputs: 'single', anyoneCanPay: true }) },
      // Issue 9 item 7: an unmined parent the miner would refuse sinks the payment with it.
      {
        name: 'zero-fee unmined parent',
        reason: 'INSUFFICIENT_FEE',
        build: async w => {
          const parent = await buildTx({ coin: coinA, signer: payerKey, changeTo: payerKey, outputs: [], zeroFee: true })
          return await buildTx({ coin: { tx: parent, vout: 0, satoshis: parent.outputs[0]!.satoshis! }, signer: payerKey, changeTo: payerKey, outputs: [w] })
        }
      },
      {
        name: 'time-locked unmined parent',
        reason: 'NON_FINAL',
        build: async w => {
          const parent = await buildTx({ coin: coinA, signer: payerKey, changeTo: payerKey, outputs: [], lockTime: 5_000_000, sequence: 0xfffffffe })
          return await buildTx({ coin: { tx: parent, vout: 0, satoshis: parent.outputs[0]!.satoshis! }, signer: payerKey, changeTo: payerKey, outputs: [w] })
        }
      }
    ]
    for (const c of cases) {
      const want = await freshRequest()
      const tx = await c.build(want)
      const txid = tx.id('hex')
      const ack = await sendForAck(h, paymentMessage(want.paymentId, tx))
      expect(ack, c.name).toMatchObject({ type: 'ack', paymentId: want.paymentId, accepted: false, reason: c.reason, txid })
      await expect.poll(() => receivePhase(payee), { message: c.name }).toBe('rejected')
      expect(await alerts(payee), c.name).toContain(reasonMessage(c.reason))
      expect(await arcStatus(lab.url, txid), c.name).toBe(404)
      await endRequest(payee)
      await expectUntouched()
    }
  })

  it('answers an unreadable payment with MALFORMED, ignores an oversized message, hangs up on a flood or a message over the link cap, and refuses a too-deep unmined ancestry as TOO_LARGE', async () => {
    const want = await freshRequest()
    const base: PaymentMessage = { v: 1, type: 'payment', id: 'payment:bad', paymentId: want.paymentId, beef: '' }

    // Not hex: the schema refuses it before any BEEF parsing; the payer still gets an answer.
    const notHex = await sendForAck(h, { ...base, beef: 'zz'.repeat(40) })
    expect(notHex).toMatchObject({ type: 'ack', paymentId: want.paymentId, accepted: false, reason: 'MALFORMED' })
    await expect.poll(() => alerts(payee)).toContain('The other phone sent something invalid')
    expect(await receivePhase(payee)).toBe('requestSent')

    // Just over the 1 MiB protocol cap but within what the link carries: parseMessage refuses
    // to look inside it, so it cannot tell it is a payment and answers nothing.
    const overCap = JSON.stringify({ ...base, id: 'payment:huge', beef: '' })
    const pad = MAX_MESSAGE_BYTES + 8 - overCap.length
    const huge = await sendForAck(h, { ...base, id: 'payment:huge', beef: '00'.repeat(Math.ceil(pad / 2)) }, 2_000)
    expect(huge).toBeUndefined()
    // Said in plain words (issue 13): no byte counts or parser messages on the payee's screen.
    await expect.poll(() => alerts(payee)).toContain('The other phone sent something invalid, which was ignored.')
    expect(await alerts(payee)).not.toMatch(/bytes|exceeds|schema/i)
    expect(await receivePhase(payee)).toBe('requestSent')

    // A flood of garbage: at the fifth unreadable message (two above, three here) the payee hangs up.
    for (const junk of ['not json', '{"v":1}', '{"v":2,"type":"payment"}']) await h.evaluate(async (b) => { await window.h.send(b) }, junk)
    expect(await peerHangUp(h)).toEqual({ reason: 'peer-closed', message: 'The other phone closed the connection, saying: “Too many malformed messages.”' })
    // The payee's screen says it in plain words; why the link ended is behind "Details".
    await expect.poll(() => alerts(payee)).toContain('The last payer\'s phone left. Nothing was paid.')
    expect(await payee.locator('details.message-detail').allTextContents()).toContainEqual(expect.stringContaining('Too many malformed messages.'))

    // The same request on a new code; this payer's link allows 4 MiB and sends 1.5 MiB:
    // the payee's link refuses it at the first frame and hangs up with the reason.
    const again = await joinAndGetRequest(h, await newCode(payee), lab.signalUrl, { maxMessageBytes: 4 * 1024 * 1024 })
    expect(again.paymentId).toBe(want.paymentId)
    await h.evaluate((b) => { void window.h.trySend(b) }, { ...base, id: 'payment:giant', beef: '00'.repeat(768 * 1024) })
    const hangUp = await peerHangUp(h)
    expect(hangUp?.reason).toBe('peer-closed')
    // The other end is told only the plain sentence; the payee keeps the limit behind "Details".
    expect(hangUp?.message).toMatch(/sent something Handover cannot read/)
    await expect.poll(async () => (await payee.locator('details.message-detail').allTextContents()).join('\n')).toMatch(/over the 1048576-byte limit/)
    expect(await alerts(payee)).not.toMatch(/byte/)
    expect(await receivePhase(payee)).toBe('requestSent')

    // Within every message cap, but the coins come through 17 generations of unmined
    // transactions (more than the 16 the payee will check): refused as TOO_LARGE.
    await joinAndGetRequest(h, await newCode(payee), lab.signalUrl)
    const deep = await unminedChain(coinA, payerKey, 17)
    const tx = await buildTx({ coin: deep, signer: payerKey, changeTo: payerKey, outputs: [want] })
    const tooDeep = await sendForAck(h, paymentMessage(want.paymentId, tx))
    expect(tooDeep).toMatchObject({ type: 'ack', paymentId: want.paymentId, accepted: false, reason: 'TOO_LARGE', txid: tx.id('hex') })
    await expect.poll(() => receivePhase(payee)).toBe('rejected')
    expect(await alerts(payee)).toContain(reasonMessage('TOO_LARGE'))
    expect(await arcStatus(lab.url, tx.id('hex'))).toBe(404)

    await endRequest(payee)
    await expectUntouched()
  })

  it('a double-spent input: accepted at hand-over (the payee cannot know), held while the miner reports the conflict, failed once a block settles it; the coin never counts', async () => {
    const want = await freshRequest()
    // The payer spends the coin to itself first and gets that to the miner.
    const selfSpend = await buildTx({ coin: coinB, signer: payerKey, changeTo: payerKey, outputs: [] })
    expect(await broadcastRaw(lab.url, selfSpend)).toBe(200)
    // ...then hands the payee a perfectly valid payment from the same coin.
    const tx = await buildTx({ coin: coinB, signer: payerKey, changeTo: payerKey, outputs: [want] })
    const txid = tx.id('hex')
    const ack = await sendForAck(h, paymentMessage(want.paymentId, tx))
    expect(ack).toMatchObject({ type: 'ack', paymentId: want.paymentId, accepted: true, txid })

    // ARC answers 200 DOUBLE_SPEND_ATTEMPTED: not final (either could still be mined), so the
    // payee keeps the payment open and counts nothing.
    await expect.poll(() => receivePhase(payee), { timeout: 20_000 }).toBe('broadcast')
    await endRequest(payee)
    const open = await walletState(payee)
    expect(open.balance).toBe(0)
    expect(open.incoming).toEqual([{ txid, status: expect.not.stringMatching(/^(failed|mined|seen)$/) }])
    expect(await entry(payee, 'in').innerText()).toMatch(/Another transaction tries to spend the same coins/)

    // A block mines the self-spend; ARC now calls the payment REJECTED.
    await mine(lab.url)
    await expect.poll(async () => (await walletState(payee)).incoming, { timeout: 30_000 }).toEqual([{ txid, status: 'failed' }])
    expect(await payee.getByTestId('incoming').count()).toBe(0)
    expect(await entry(payee, 'in').innerText()).toMatch(/spent by another transaction/)
    expect((await walletState(payee)).balance).toBe(0)
  })

  let relabelled: { ack: unknown, phase: string | null } | undefined

  it('a replayed payment: the same message again gets the same accepted ack; the old payment never pays a new request twice', async () => {
    const a = await freshRequest()
    const tx = await buildTx({ coin: coinA, signer: payerKey, changeTo: payerKey, outputs: [a] })
    const txid = tx.id('hex')
    const msg = paymentMessage(a.paymentId, tx)
    const first = await sendForAck(h, msg)
    expect(first).toMatchObject({ type: 'ack', paymentId: a.paymentId, accepted: true, txid })
    await expect.poll(() => receivePhase(payee), { timeout: 20_000 }).toMatch(/^(broadcast|seen)$/)
    const again = await sendForAck(h, msg)
    expect(again).toMatchObject({ type: 'ack', id: first!.id, paymentId: a.paymentId, accepted: true, txid })
    expect(await receivePhase(payee)).toMatch(/^(broadcast|seen)$/)
    expect(await arcStatus(lab.url, txid)).toBe(200)
    await mine(lab.url)
    await endRequest(payee)
    await payee.getByRole('button', { name: 'Wallet' }).click()
    await payee.getByRole('button', { name: 'Refresh' }).click()
    await expect.poll(() => balanceSats(payee), { timeout: 20_000 }).toBe(AMOUNT)
    await expect.poll(() => payee.locator(`li[data-txid="${txid}"]`).getAttribute('data-status'), { timeout: 20_000 }).toBe('mined')
    const paid = await walletState(payee)
    // This payment, and the double spend of the test before, still marked failed.
    expect(paid.incoming).toHaveLength(2)
    expect(paid.incoming).toContainEqual({ txid, status: 'mined' })

    // Request B: the old payment, verbatim, names request A: not this request.
    const b = await freshRequest()
    expect(b.paymentId).not.toBe(a.paymentId)
    const verbatim = await sendForAck(h, msg)
    expect(verbatim).toMatchObject({ type: 'ack', paymentId: a.paymentId, accepted: false, reason: 'UNKNOWN_REQUEST' })
    expect(await receivePhase(payee)).toBe('requestSent')
    // The old payment relabelled for request B. Whatever the ack says (see the next test),
    // the payee's screen must not show B as paid and the wallet must not count it again.
    const ack = await sendForAck(h, { ...msg, id: 'payment:replay', paymentId: b.paymentId })
    expect(ack).toMatchObject({ type: 'ack', paymentId: b.paymentId })
    await expect.poll(() => receivePhase(payee)).toMatch(/^(requestSent|rejected)$/)
    relabelled = { ack, phase: await receivePhase(payee) }
    await endRequest(payee)
    expect(await walletState(payee)).toEqual(paid)
  })

  // A payment already accepted for request A, relabelled with request B's id, is
  // refused: the transaction already paid request A (DUPLICATE), so it is not a resend of B.
  it('a replayed payment relabelled for a new request is refused', () => {
    // Undefined only if the test above failed, which is then reported there.
    expect(relabelled).toBeDefined()
    expect(relabelled!.ack).toMatchObject({ accepted: false, reason: 'DUPLICATE' })
    expect(relabelled!.phase).toBe('rejected')
  })
})
