import { describe, expect, it } from 'vitest'
import { contextProblem, httpsUrl, localhostUrl } from '../../src/app/secure-context.ts'

describe('contextProblem', () => {
  it('names a plain-http page and a browser without WebCrypto, and lets a secure one through', () => {
    expect(contextProblem({ isSecureContext: false, crypto: {} })).toBe('insecure')
    expect(contextProblem({ isSecureContext: true, crypto: {} })).toBe('no-webcrypto')
    expect(contextProblem({ isSecureContext: true })).toBe('no-webcrypto')
    expect(contextProblem({ isSecureContext: true, crypto: { subtle: {} } })).toBeUndefined()
  })
  it('suggests the same page over https, and on localhost', () => {
    expect(httpsUrl('http://192.168.1.20:8787/')).toBe('https://192.168.1.20:8787/')
    expect(localhostUrl('http://192.168.1.20:8787/')).toBe('http://localhost:8787/')
  })
})
