// Issue 13: `npm start` on a busy port says in one line which port and how to choose
// another, and exits non-zero, instead of printing Node's raw EADDRINUSE stack.
import { describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:net'
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { listenErrorMessage } from '../../server/listen-error.ts'

function run (env: Record<string, string>): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('server/main.ts')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString() })
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
    const timer = setTimeout(() => { child.kill(); fail(new Error(`server did not exit: ${stdout}${stderr}`)) }, 30_000)
    child.on('exit', code => { clearTimeout(timer); done({ code, stdout, stderr }) })
  })
}

describe('npm start on a busy port', () => {
  it('prints one line naming the port and how to choose another, and exits non-zero', async () => {
    const squatter: Server = createServer()
    await new Promise<void>(r => squatter.listen(0, '127.0.0.1', () => r()))
    const port = (squatter.address() as { port: number }).port
    try {
      const out = await run({ PORT: String(port), HOST: '127.0.0.1', HANDOVER_DEVNET: '0', HANDOVER_SIGNALLING: '0', HANDOVER_STATIC_DIR: resolve('public') })
      expect(out.code).not.toBe(0)
      expect(out.code).not.toBeNull()
      expect(out.stdout).not.toContain('is running')
      const lines = out.stderr.trim().split('\n')
      expect(lines).toEqual([`Port ${port} on 127.0.0.1 is already in use (another Handover or another program). Stop that program, or choose another port: PORT=${port + 1} npm start`])
      expect(out.stderr).not.toMatch(/EADDRINUSE|\n\s+at /)
    } finally {
      await new Promise(r => squatter.close(r))
    }
  })

  it('leaves errors it cannot explain to Node', () => {
    expect(listenErrorMessage(new Error('boom'), '127.0.0.1', 8787)).toBeUndefined()
    expect(listenErrorMessage(Object.assign(new Error('x'), { code: 'EACCES' }), '0.0.0.0', 80)).toMatch(/^Port 80 on 0\.0\.0\.0 needs administrator rights/)
  })
})
