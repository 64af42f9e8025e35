// TSC proof objects (what WhatsOnChain's /tx/{txid}/proof/tsc serves) from BUMPs.
import { MerklePath } from '@bsv/sdk'

/** TSC proof object (what WhatsOnChain serves) from a BUMP, so one client reads both. */
export function tscFromPath (txid: string, bumpHex: string, blockHash: string): { index: number, txOrId: string, target: string, nodes: string[] } {
  const mp = MerklePath.fromHex(bumpHex)
  const leaf = mp.path[0]!.find(l => l.hash === txid)
  if (leaf == null) throw new Error('txid not in its own merkle path')
  let index = leaf.offset
  const nodes: string[] = []
  // A block holding only its coinbase: the txid is the root and there are no siblings.
  if (mp.path.length === 1 && mp.path[0]!.length === 1) return { index: 0, txOrId: txid, target: blockHash, nodes }
  for (let level = 0; level < mp.path.length; level++) {
    const sib = mp.path[level]!.find(l => l.offset === (index ^ 1))
    if (sib == null) throw new Error('incomplete merkle path')
    nodes.push(sib.duplicate === true ? '*' : sib.hash!)
    index = index >> 1
  }
  return { index: leaf.offset, txOrId: txid, target: blockHash, nodes }
}
