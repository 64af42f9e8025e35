// Issue 13: every message a person reads says what happened and what to do in plain words.
// This scans the app's message tables (reasons, refusals, miner answers, scanned garbage,
// amounts, screens and their headings, and the static text of every screen) for jargon, so
// it cannot creep back: technical detail belongs behind a "Details" disclosure (the history's
// payment details), never in the main text.
import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeReason, reasonMessage, REASON_CODES } from '../../src/core/protocol/reasons.ts'
import { refusalMessage } from '../../src/core/protocol/payer-machine.ts'
import { ARC_ERROR_TABLE, judgeArc } from '../../src/core/arc-status.ts'
import { foreignMessage, type ForeignText } from '../../src/core/scanned.ts'
import { payScreen, payTitle, receiveScreen, receiveTitle } from '../../src/app/flow-screen.ts'
import { amountHint, shortfallText, syncProgressText } from '../../src/ui/format.ts'
import { jargonIn } from '../jargon-patterns.ts'
import { splitDetail } from '../../src/core/plain-detail.ts'
import { scriptForAddress } from '../../src/core/address.ts'
import { badCodeMessage, connectionLostMessage, unreadablePeerMessage } from '../../src/link/explain.ts'

/** The miner's own words and other technical detail go behind "Details"; the sentence is ours. */
const ours = (message: string): string => splitDetail(message).text

describe('no jargon in what people read', () => {
  it('reasons for refusing or failing a payment, and what a payer is told on a refusal', () => {
    const found: string[] = []
    for (const code of REASON_CODES) {
      const t = describeReason(code)
      found.push(...jargonIn(t.what), ...jargonIn(t.todo), ...jargonIn(reasonMessage(code)), ...jargonIn(refusalMessage(code)))
    }
    expect(found).toEqual([])
  })

  it('what the miner\'s answers become', () => {
    const TXID = 'ab'.repeat(32)
    const answers = [
      {}, { httpStatus: 401 }, { httpStatus: 404 }, { httpStatus: 429 }, { httpStatus: 409 }, { httpStatus: 503 }, { httpStatus: 400, extraInfo: 'bad request body' }, { httpStatus: 422 },
      { httpStatus: 200, txid: TXID, txStatus: 'UNKNOWN' },
      { httpStatus: 200, unreadable: true }, { httpStatus: 200, txid: 'cd'.repeat(32), txStatus: 'SEEN_ON_NETWORK' },
      ...['QUEUED', 'RECEIVED', 'STORED', 'ANNOUNCED_TO_NETWORK', 'SEEN_ON_NETWORK', 'MINED', 'SEEN_IN_ORPHAN_MEMPOOL', 'DOUBLE_SPEND_ATTEMPTED', 'MINED_IN_STALE_BLOCK', 'REJECTED']
        .map(txStatus => ({ httpStatus: 200, txid: TXID, txStatus })),
      ...Object.keys(ARC_ERROR_TABLE).map(code => ({ httpStatus: Number(code), txid: TXID, extraInfo: `arc error ${code}: the node said something technical about 250 bytes` }))
    ]
    const found: string[] = []
    for (const a of answers) {
      for (const op of ['submit', 'status'] as const) found.push(...jargonIn(ours(judgeArc(a, TXID, op).message)))
    }
    expect(found).toEqual([])
  })

  it('a link that drops, a peer that sends garbage, a damaged code: the sentence is plain, the raw reason is in Details', () => {
    const cases: Array<[string, string]> = [
      [connectionLostMessage('User-Initiated Abort, reason=Close called'), 'User-Initiated Abort, reason=Close called'],
      [unreadablePeerMessage('peer sent a message over the 1048576-byte limit'), 'peer sent a message over the 1048576-byte limit'],
      [unreadablePeerMessage('TypeError: x is undefined'), 'TypeError: x is undefined'],
      [badCodeMessage('invite has 40 bytes, expected 50'), 'invite has 40 bytes, expected 50'],
      [badCodeMessage('This is not a Handover invite: base45 checksum does not match'), 'This is not a Handover invite: base45 checksum does not match']
    ]
    for (const [message, raw] of cases) {
      const { text, detail } = splitDetail(message)
      expect(jargonIn(text)).toEqual([])
      expect(detail).toBe(raw)
    }
    // Words already plain are left alone, not wrapped twice.
    const plain = unreadablePeerMessage('The other phone sent a second commitment; connection refused.')
    expect(splitDetail(plain)).toEqual({ text: plain })
    expect(splitDetail(unreadablePeerMessage(unreadablePeerMessage('bad frame'))).detail).toBe('bad frame')
  })

  it('an address with a typo, for another network, or of a kind Handover cannot pay', () => {
    const said: string[] = []
    for (const address of ['1BoatSLRHtKNngkdXEeobR76b53LETtpyU', '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', 'mzQRgd9cMWAVG5NcyMowuHsckGpofzojH7', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', 'hello']) {
      try { scriptForAddress(address, 'testnet') } catch (e) { said.push((e as Error).message) }
    }
    expect(said.length).toBe(4)
    expect(said.flatMap(jargonIn)).toEqual([])
  })

  it('what a scanned or pasted code that is not a payment is said to be', () => {
    const kinds: ForeignText[] = [{ kind: 'wifi', network: 'Cafe' }, { kind: 'wifi' }, { kind: 'url', host: 'example.com' }, { kind: 'email' }, { kind: 'phone' }, { kind: 'contact' }, { kind: 'text' }]
    expect(kinds.flatMap(k => jargonIn(foreignMessage(k)))).toEqual([])
  })

  it('amounts typed wrong, money short, sync progress', () => {
    const found: string[] = []
    for (const text of ['-5', '1,5', '1.2.3', 'abc', '2100000000000010', '0', '1.000000001', '12 000 sats']) {
      for (const unit of ['sats', 'bsv'] as const) {
        for (const sep of ['.', ','] as const) found.push(...jargonIn(amountHint(text, unit, sep).text))
      }
    }
    found.push(...jargonIn(shortfallText({ total: 2_100_000_000_000_010, spendable: 12_345 })))
    found.push(...jargonIn(syncProgressText({ checked: 120, total: 24_000, newCoins: 3, restore: true })))
    expect(found).toEqual([])
  })

  it('each face-to-face screen, its heading and its dead-end message', () => {
    const found: string[] = []
    for (const offline of [false, true]) {
      for (const phase of ['requestSent', 'expired', 'cancelled', 'verified', 'acked']) {
        for (const connected of [false, true]) {
          const s = receiveScreen({ phase, connected, mode: 'invite', received: phase === 'acked', peerKey: '02ab', error: 'The payer closed the app.' }, offline)
          found.push(...jargonIn(receiveTitle(s, phase, phase === 'acked')))
          if (s.kind === 'dead') found.push(...jargonIn(s.message))
        }
      }
      for (const phase of [undefined, 'requested', 'confirmed', 'handedOver', 'acked', 'rejected', 'failed']) {
        const s = payScreen({ hasAnswer: false, view: { connected: false, phase } }, offline)
        found.push(...jargonIn(payTitle(s, phase, phase !== undefined, phase === 'acked')))
        if (s.kind === 'dead') found.push(...jargonIn(s.message))
      }
    }
    expect(found).toEqual([])
  })

  it('the static text of every screen and component', () => {
    const dir = 'src/ui'
    const files = readdirSync(dir, { recursive: true }).map(String).filter(f => f.endsWith('.svelte'))
    expect(files.length).toBeGreaterThan(10)
    const found: string[] = []
    for (const f of files) {
      const src = readFileSync(join(dir, f), 'utf8')
      // Sentences in the script (status tables, messages) and the text between tags.
      const script = /<script[^>]*>([\s\S]*?)<\/script>/.exec(src)?.[1] ?? ''
      const sentences = [...script.matchAll(/'((?:[^'\\\n]|\\.)*\s(?:[^'\\\n]|\\.)*)'/g)].map(m => m[1]!).filter(s => /^[A-Z"“(]/.test(s))
      let body = src
      // Expressions may nest braces (arrow functions in handlers): drop innermost first.
      while (/\{[^{}]*\}/.test(body)) body = body.replace(/\{[^{}]*\}/g, ' ')
      const markup = body.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<!--[\s\S]*?-->/g, '')
        .replace(/<[^>]*>/g, '\n').split('\n').map(s => s.trim()).filter(s => /[A-Za-z]{3}/.test(s))
      for (const s of [...sentences, ...markup]) found.push(...jargonIn(s).map(j => `${f}: ${j}`))
    }
    expect(found).toEqual([])
  })
})
