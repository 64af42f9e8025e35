// A hostile payer's toolbox for the browser tests: real coins from the devnet faucet,
// transactions built and signed in Node with @bsv/sdk (right, or wrong on purpose), and
// the payee's app driven through its UI while the link harness page speaks for the payer.
import { expect } from 'vitest'
import { LockingScript, MerklePath, P2PKH, PrivateKey, SatoshisPerKilobyte, Transaction } from '@bsv/sdk'
import type { Page } from 'playwright-core'
import type { AckMessage, PaymentMessage, RequestMessage } from '../../src/core/protocol/messages.ts'
import { balanceSats, entry, mine } from './wallet-ui.ts'

/** A mined coin the payer controls, with its source transaction carrying a merkle path. */
export interface Coin { tx: Transaction, vout: number, satoshis: number }

const TESTNET = [0x6f]

async function ok (r: Response, what: string): Promise<Response> {
  if (!r.ok) throw new Error(`${what}: HTTP ${r.status} ${await r.text()}`)
  return r
}

/** Faucet payouts to `key`, mined into one block, each returned with its BUMP attached. */
export async function fundedCoins (url: string, key: PrivateKey, amounts: number[]): Promise<Coin[]> {
  const address = key.toAddress(TESTNET)
  const script = new P2PKH().lock(address).toHex()
  const txids: string[] = []
  for (const satoshis of amounts) {
    const r = await ok(await fetch(`${url}/devnet/faucet`, { method: 'POST', body: JSON.stringify({ address, satoshis }) }), 'faucet')
    txids.push((await r.json() as { txid: string }).txid)
  }
  await mine(url)
  const coins: Coin[] = []
  for (const [i, txid] of txids.entries()) {
    const hex = await (await ok(await fetch(`${url}/devnet/chain/tx/${txid}/hex`), 'raw tx')).text()
    const tx = Transaction.fromHex(hex.trim())
    const status = await (await ok(await fetch(`${url}/devnet/arc/v1/tx/${txid}`), 'tx status')).json() as { merklePath: string }
    tx.merklePath = MerklePath.fromHex(status.merklePath)
    const vout = tx.outputs.findIndex(o => o.lockingScript.toHex() === script && o.satoshis === amounts[i])
    if (vout < 0) throw new Error(`faucet tx ${txid} does not pay ${address}`)
    coins.push({ tx, vout, satoshis: amounts[i]! })
  }
  return coins
}

export interface Spend {
  coin: Coin
  /** The key that signs: the coin's owner, or (hostile) any other key. */
  signer: PrivateKey
  outputs: Array<{ script: string, satoshis: number }>
  /** Where the change goes. */
  changeTo: PrivateKey
  /** Leave no fee at all: the change takes every satoshi not paid out. */
  zeroFee?: boolean
  /** Signature scope (default ALL|FORKID, as every honest wallet signs). */
  signOutputs?: 'all' | 'none' | 'single'
  anyoneCanPay?: boolean
  /** Time-lock: with a non-final sequence the miner holds the tx until then. */
  lockTime?: number
  sequence?: number
}

/** Builds and signs a transaction spending one coin; the fee is always explicit (50 sat/kB). */
export async function buildTx (s: Spend): Promise<Transaction> {
  const tx = new Transaction()
  tx.addInput({
    sourceTransaction: s.coin.tx,
    sourceOutputIndex: s.coin.vout,
    unlockingScriptTemplate: new P2PKH().unlock(s.signer, s.signOutputs ?? 'all', s.anyoneCanPay ?? false),
    ...(s.sequence !== undefined ? { sequence: s.sequence } : {})
  })
  if (s.lockTime !== undefined) tx.lockTime = s.lockTime
  for (const o of s.outputs) tx.addOutput({ lockingScript: LockingScript.fromHex(o.script), satoshis: o.satoshis })
  const change = new P2PKH().lock(s.changeTo.toAddress(TESTNET))
  if (s.zeroFee === true) {
    tx.addOutput({ lockingScript: change, satoshis: s.coin.satoshis - s.outputs.reduce((n, o) => n + o.satoshis, 0) })
  } else {
    tx.addOutput({ lockingScript: change, change: true })
    await tx.fee(new SatoshisPerKilobyte(50))
  }
  await tx.sign()
  return tx
}

let seq = 0
export function paymentMessage (paymentId: string, tx: Transaction): PaymentMessage {
  return { v: 1, type: 'payment', id: `payment:${++seq}`, paymentId, beef: tx.toHexBEEF() }
}

/** HTTP status of the devnet's ARC for a txid: 404 means it never heard of it. */
export async function arcStatus (url: string, txid: string): Promise<number> {
  return (await fetch(`${url}/devnet/arc/v1/tx/${txid}`)).status
}

export async function broadcastRaw (url: string, tx: Transaction): Promise<number> {
  const r = await fetch(`${url}/devnet/arc/v1/tx`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rawTx: tx.toHex() }) })
  await r.text()
  return r.status
}

// ---- the payee, through its UI ----------------------------------------------------

/** Receive tab → amount → 'Show payment code'; returns the invite text behind the QR. */
export async function showCode (page: Page, sats: number): Promise<string> {
  await page.getByRole('button', { name: 'Receive' }).click()
  // A request left open (by a failed test) would hide the form.
  if (await page.getByTestId('receive-status').count() > 0) await endRequest(page)
  await page.getByLabel('Amount (satoshis)').fill(String(sats))
  await page.getByRole('button', { name: 'Show payment code' }).click()
  const qr = page.getByTestId('pair-qr')
  await qr.waitFor()
  const text = await qr.getAttribute('data-text')
  if (text === null || text === '') throw new Error('the payment code has no text')
  return text
}

/** 'Show a new code' for the same request; returns the new invite text once it is drawn. */
export async function newCode (page: Page): Promise<string> {
  const old = await page.getByTestId('pair-qr').getAttribute('data-text').catch(() => null)
  await page.getByRole('button', { name: 'Show a new code' }).click()
  let text: string | null = null
  await expect.poll(async () => {
    text = await page.getByTestId('pair-qr').getAttribute('data-text', { timeout: 1000 }).catch(() => null)
    return text !== null && text !== '' && text !== old
  }, { timeout: 10_000 }).toBe(true)
  return text!
}

/** Ends the request on screen ('Done' or 'Cancel', whichever it offers). */
export async function endRequest (page: Page): Promise<void> {
  await page.getByRole('button', { name: /^(Done|Cancel)$/ }).click()
  await page.getByRole('button', { name: 'Show payment code' }).waitFor()
}

export async function receivePhase (page: Page): Promise<string | null> {
  return await page.getByTestId('receive-status').getAttribute('data-phase')
}

export async function alerts (page: Page): Promise<string> {
  return (await page.getByRole('alert').allInnerTexts()).join('\n')
}

/** The Wallet tab: refresh and read the spendable balance and the incoming ledger entries. */
export async function walletState (page: Page): Promise<{ balance: number, incoming: Array<{ txid: string | null, status: string | null }> }> {
  await page.getByRole('button', { name: 'Wallet' }).click()
  await page.getByRole('button', { name: 'Refresh' }).click()
  await expect.poll(() => balanceSats(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(0)
  const rows = entry(page, 'in')
  const incoming: Array<{ txid: string | null, status: string | null }> = []
  for (let i = 0; i < await rows.count(); i++) {
    incoming.push({ txid: await rows.nth(i).getAttribute('data-txid'), status: await rows.nth(i).getAttribute('data-status') })
  }
  return { balance: await balanceSats(page), incoming }
}

// ---- the hostile payer: the link harness page --------------------------------------

/** Joins the payee's invite and returns the request it sends first. */
export async function joinAndGetRequest (harness: Page, invite: string, signalUrl: string, opts: { maxMessageBytes?: number } = {}): Promise<RequestMessage> {
  // Hang up the last link and forget whatever it left behind.
  await harness.evaluate(async () => {
    window.h.close()
    while (await window.h.waitMessage(0) !== undefined);
    while (await window.h.waitClose(0) !== undefined);
  })
  const linked = await harness.evaluate(async ([t, u, o]) => await window.h.joinInvite(t, u, o), [invite, signalUrl, opts] as const)
  if ('error' in linked) throw new Error(`hostile payer could not join: ${linked.error}`)
  const req = await nextMessage(harness) as RequestMessage | undefined
  if (req?.type !== 'request') throw new Error(`expected a request, got ${JSON.stringify(req)}`)
  return req
}

export async function nextMessage (harness: Page, ms = 10_000): Promise<unknown> {
  return await harness.evaluate(async (t) => await window.h.waitMessage(t), ms)
}

/** Sends a body and returns the next ack (skipping anything else), or undefined if none came. */
export async function sendForAck (harness: Page, body: unknown, ms = 10_000): Promise<AckMessage | undefined> {
  await harness.evaluate(async (b) => { await window.h.send(b) }, body)
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const m = await nextMessage(harness, deadline - Date.now()) as { type?: string } | undefined
    if (m === undefined) return undefined
    if (m.type === 'ack') return m as AckMessage
  }
  return undefined
}

/** The next time the payee hangs up on the hostile payer (our own hang-ups are skipped). */
export async function peerHangUp (harness: Page, ms = 10_000): Promise<{ reason: string, message: string } | undefined> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const c = await harness.evaluate(async (t) => await window.h.waitClose(t), Math.max(0, deadline - Date.now())) as { reason?: string, message?: string } | undefined
    if (c === undefined) return undefined
    if (c.reason !== 'local') return { reason: String(c.reason), message: String(c.message) }
  }
  return undefined
}

/** `generations` unmined transactions in a row, each paying the whole coin on to `key`. */
export async function unminedChain (coin: Coin, key: PrivateKey, generations: number): Promise<Coin> {
  let c = coin
  for (let i = 0; i < generations; i++) {
    const tx = await buildTx({ coin: c, signer: key, changeTo: key, outputs: [] })
    c = { tx, vout: 0, satoshis: tx.outputs[0]!.satoshis! }
  }
  return c
}

/**
 * A coin locked by any script, in a real devnet block: `coin` (P2PKH, owned by `key`) is
 * spent to `lockingScript`, the tx broadcast and mined, and returned with its BUMP.
 */
export async function minedScriptCoin (url: string, coin: Coin, key: PrivateKey, lockingScript: LockingScript, satoshis: number): Promise<Coin> {
  const tx = new Transaction()
  tx.addInput({ sourceTransaction: coin.tx, sourceOutputIndex: coin.vout, unlockingScriptTemplate: new P2PKH().unlock(key) })
  tx.addOutput({ lockingScript, satoshis })
  tx.addOutput({ lockingScript: new P2PKH().lock(key.toAddress(TESTNET)), change: true })
  await tx.fee(new SatoshisPerKilobyte(100))
  await tx.sign()
  const status = await broadcastRaw(url, tx)
  if (status !== 200) throw new Error(`devnet refused the script coin: HTTP ${status}`)
  await mine(url)
  const proof = await (await ok(await fetch(`${url}/devnet/arc/v1/tx/${tx.id('hex')}`), 'tx status')).json() as { merklePath?: string }
  if (proof.merklePath === undefined) throw new Error('script coin not mined')
  tx.merklePath = MerklePath.fromHex(proof.merklePath)
  return { tx, vout: 0, satoshis }
}

/** Installs a main-thread watchdog in the page: the longest gap between 10 ms timer ticks. */
export async function startJankProbe (page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { jank: { max: number, last: number, id: number } }
    if (w.jank !== undefined) clearInterval(w.jank.id)
    w.jank = { max: 0, last: performance.now(), id: 0 }
    w.jank.id = window.setInterval(() => {
      const now = performance.now()
      w.jank.max = Math.max(w.jank.max, now - w.jank.last)
      w.jank.last = now
    }, 10)
  })
}

/** The longest main-thread stall since startJankProbe, ms. */
export async function stopJankProbe (page: Page): Promise<number> {
  return await page.evaluate(() => {
    const w = window as unknown as { jank: { max: number, id: number } }
    clearInterval(w.jank.id)
    return w.jank.max
  })
}
