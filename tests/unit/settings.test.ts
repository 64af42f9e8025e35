import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS, formatIceServers, parseIceServers, resolveEndpoint, signalUrlFor, validateSettings } from '../../src/app/settings.ts'
import type { Settings } from '../../src/store/records.ts'

const base = (): Settings => structuredClone(DEFAULT_SETTINGS)

describe('settings', () => {
  it('accept the defaults and resolve the relative devnet endpoints against the app origin', () => {
    expect(() => validateSettings(base())).not.toThrow()
    expect(resolveEndpoint('/devnet/arc', 'https://pay.example')).toBe('https://pay.example/devnet/arc')
    expect(signalUrlFor('/signal', 'https://pay.example')).toBe('wss://pay.example/signal')
    expect(signalUrlFor('/signal', 'http://127.0.0.1:8787')).toBe('ws://127.0.0.1:8787/signal')
    expect(signalUrlFor('', 'https://pay.example')).toBeUndefined()
  })

  it('refuse plain-http endpoints except on this machine, and say which one', () => {
    const s = base()
    s.endpoints.mainnet.arc = 'http://arc.example'
    expect(() => validateSettings(s)).toThrow(/mainnet miner \(ARC\) address must use https/)
    s.endpoints.mainnet.arc = 'http://127.0.0.1:9000'
    expect(() => validateSettings(s)).not.toThrow()
    s.endpoints.testnet.chain = 'not a url'
    expect(() => validateSettings(s)).toThrow(/testnet chain data address is not a URL/)
  })

  it('refuse an insecure signalling service, bad STUN/TURN lines, odd fees and lock times', () => {
    expect(() => validateSettings({ ...base(), signalUrl: 'ws://signal.example/signal' })).toThrow(/wss/)
    expect(() => validateSettings({ ...base(), iceServers: parseIceServers('http://stun.example') })).toThrow(/not a STUN or TURN address/)
    expect(() => validateSettings({ ...base(), feeRate: -1 })).toThrow(/fee rate/)
    expect(() => validateSettings({ ...base(), lockAfterMinutes: 0 })).toThrow(/Auto-lock/)
  })

  it('read STUN/TURN servers one per line, with optional credentials, and write them back the same', () => {
    const text = 'stun:stun.example:3478\nturn:turn.example:3478 alice s3cret'
    const servers = parseIceServers(`  ${text}\n\n`)
    expect(servers).toEqual([{ urls: 'stun:stun.example:3478' }, { urls: 'turn:turn.example:3478', username: 'alice', credential: 's3cret' }])
    expect(formatIceServers(servers)).toBe(text)
    expect(() => validateSettings({ ...base(), iceServers: servers })).not.toThrow()
  })
})
