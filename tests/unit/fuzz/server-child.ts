// The real server (app, devnet, signalling) in its own process, so a test can throw hostile
// requests at it and see whether the process survives. Prints {"url": ...} once listening.
import { startAppServer } from '../../../server/app-server.ts'

const staticDir = process.argv[2]
const running = await startAppServer({ host: '127.0.0.1', port: 0, staticDir, devnetFile: ':memory:', signalling: {} })
process.stdout.write(JSON.stringify({ url: running.url }) + '\n')
process.on('SIGTERM', () => { void running.close().then(() => process.exit(0)) })
