// Runs transaction scripts off the server's event loop (see script-check.ts): a hostile
// script (a multi-megabyte item hashed in a loop) can take minutes, and the main thread
// must keep answering. Plain JS so it runs as a worker without a TypeScript loader.
import { parentPort } from 'node:worker_threads'
import { LockingScript, Spend, Transaction } from '@bsv/sdk'

parentPort.on('message', ({ id, rawTx, sources }) => {
  let reply
  try {
    const tx = Transaction.fromHex(rawTx)
    reply = { id, ok: true }
    for (const [i, input] of tx.inputs.entries()) {
      let ok = false
      let why = 'script evaluated to false'
      try {
        ok = new Spend({
          sourceTXID: input.sourceTXID,
          sourceOutputIndex: input.sourceOutputIndex,
          lockingScript: LockingScript.fromHex(sources[i].script),
          sourceSatoshis: sources[i].satoshis,
          transactionVersion: tx.version,
          otherInputs: tx.inputs.filter((_, j) => j !== i),
          unlockingScript: input.unlockingScript,
          inputSequence: input.sequence ?? 0xffffffff,
          inputIndex: i,
          outputs: tx.outputs,
          lockTime: tx.lockTime,
          memoryLimit: 8_000_000
        }).validate()
      } catch (e) { why = e instanceof Error ? e.message : String(e) }
      if (!ok) { reply = { id, ok: false, input: i, reason: why.slice(0, 300) }; break }
    }
  } catch (e) {
    reply = { id, ok: false, input: -1, reason: (e instanceof Error ? e.message : String(e)).slice(0, 300) }
  }
  parentPort.postMessage(reply)
})
