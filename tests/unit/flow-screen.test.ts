// One screen per state (issue 13): a timed-out invite, a lost link or going offline replaces
// the code or the "Connecting…" instead of sitting next to it.
import { describe, expect, it } from 'vitest'
import { payScreen, receiveScreen, type ReceiveFacts } from '../../src/app/flow-screen.ts'

const waiting: ReceiveFacts = { phase: 'requestSent', connected: false, mode: 'invite', received: false }

describe('receiveScreen', () => {
  it('shows the fresh code for the same request once a payer\'s link dropped, never the dead link', () => {
    const dropped: ReceiveFacts = { phase: 'requestSent', connected: false, peerKey: '02ab', error: 'The payer\'s phone left.', mode: 'invite', received: false }
    expect(receiveScreen(dropped, false).kind).toBe('dead')
    expect(receiveScreen({ ...dropped, freshCode: true }, false)).toEqual({ kind: 'code' })
    // Offline, a fresh invite still cannot reach anyone.
    expect(receiveScreen({ ...dropped, freshCode: true }, true).kind).toBe('dead')
  })

  it('shows the code only while it can still be used', () => {
    expect(receiveScreen(waiting, false)).toEqual({ kind: 'code' })
    expect(receiveScreen({ ...waiting, connected: true, peerKey: 'k' }, false)).toEqual({ kind: 'progress' })
  })
  it('a timed-out invite, a lost connection and going offline each own the screen', () => {
    const timedOut = receiveScreen({ ...waiting, linkError: 'The invite timed out.' }, false)
    expect(timedOut).toMatchObject({ kind: 'dead', newCode: true })
    expect(timedOut.kind === 'dead' && timedOut.message).toMatch(/^The invite timed out\. Nothing was paid\./)
    expect(receiveScreen({ ...waiting, peerKey: 'k', error: 'The connection was lost.' }, false)).toMatchObject({ kind: 'dead', newCode: true })
    expect(receiveScreen(waiting, true)).toMatchObject({ kind: 'dead', twoScans: true })
    // A two-scan code needs no internet: offline it stays.
    expect(receiveScreen({ ...waiting, mode: 'qr' }, true)).toEqual({ kind: 'code' })
    expect(receiveScreen({ ...waiting, phase: 'expired' }, false)).toMatchObject({ kind: 'dead', newCode: false })
  })
  it('a received payment is never shown as dead, whatever the link does', () => {
    expect(receiveScreen({ ...waiting, phase: 'acked', received: true, linkError: 'x' }, true)).toEqual({ kind: 'progress' })
  })
})

describe('payScreen', () => {
  it('an expired invite replaces "Connecting…"', () => {
    expect(payScreen({ hasAnswer: false }, false)).toEqual({ kind: 'connecting' })
    const dead = payScreen({ hasAnswer: false, linkError: 'This invite has expired.' }, false)
    expect(dead.kind).toBe('dead')
    expect(dead.kind === 'dead' && dead.message).toMatch(/^This invite has expired\. Nothing was paid\./)
  })
  it('a link lost before confirming is dead; after signing the payment story goes on', () => {
    expect(payScreen({ hasAnswer: false, view: { connected: false, phase: 'requested' } }, false).kind).toBe('dead')
    expect(payScreen({ hasAnswer: false, view: { connected: false, phase: 'handedOver' } }, false).kind).toBe('session')
    expect(payScreen({ hasAnswer: false }, true).kind).toBe('dead')
    expect(payScreen({ hasAnswer: true }, true).kind).toBe('answer')
  })
})

describe('receiveScreen after the link closed', () => {
  it('a closed link the session reported is dead even before the payer named itself', () => {
    expect(receiveScreen({ ...waiting, error: 'The other phone closed the connection.' }, false)).toMatchObject({ kind: 'dead', newCode: true })
  })
})

describe('step headings (focus moves to them when they change)', () => {
  it('the payer\'s heading changes with what the person must do, not with every phase', async () => {
    const { payTitle } = await import('../../src/app/flow-screen.ts')
    const session = { kind: 'session' } as const
    expect(payTitle({ kind: 'connecting' }, undefined, false, false)).toBe('Connecting to the payee')
    expect(payTitle(session, 'requested', true, false)).toBe('Check and confirm')
    expect(new Set(['confirmed', 'signed', 'handedOver', 'selfBroadcast'].map(p => payTitle(session, p, true, false)))).toEqual(new Set(['Paying']))
    expect(payTitle(session, 'acked', true, true)).toBe('Paid')
    expect(payTitle(session, 'rejected', true, false)).toBe('Refused by the payee')
    expect(payTitle({ kind: 'dead', message: 'x' }, 'requested', true, false)).toBe('Payment stopped')
  })

  it('the payee\'s heading: code, payer connected, received; a dead code says so', async () => {
    const { receiveTitle } = await import('../../src/app/flow-screen.ts')
    expect(receiveTitle({ kind: 'code' }, 'requestSent', false)).toBe('Show this code to the payer')
    expect(receiveTitle({ kind: 'progress' }, 'requestSent', false)).toBe('Payer connected')
    expect(receiveTitle({ kind: 'progress' }, 'verified', false)).toBe('Checking the payment')
    expect(receiveTitle({ kind: 'progress' }, 'acked', true)).toBe('Payment received')
    expect(receiveTitle({ kind: 'dead', message: 'x', newCode: true, twoScans: false }, 'requestSent', false)).toBe('This code can no longer be used')
    expect(receiveTitle({ kind: 'dead', message: 'x', newCode: false, twoScans: false }, 'expired', false)).toBe('Request ended')
  })
})

describe('leaving the page asks while a payment is unfinished', () => {
  it('payer from confirming until the payee answered or its own broadcast is done; payee while it holds a payment the network lacks', async () => {
    const { payerUnfinished, payeeUnfinished } = await import('../../src/core/protocol/phases.ts')
    const payer = ['requested', 'confirmed', 'signed', 'handedOver', 'acked', 'rejected', 'selfBroadcast', 'broadcast', 'mined', 'cancelled', 'failed'] as const
    expect(payer.filter(p => payerUnfinished(p))).toEqual(['confirmed', 'signed', 'handedOver', 'selfBroadcast'])
    const payee = ['requestSent', 'paymentReceived', 'verified', 'acked', 'queued', 'broadcast', 'seen', 'mined', 'rejected', 'failed', 'expired', 'cancelled'] as const
    expect(payee.filter(p => payeeUnfinished(p))).toEqual(['paymentReceived', 'verified', 'acked', 'queued'])
  })
})
