import { OP, Spend } from '@bsv/sdk'
import type { Transaction } from '@bsv/sdk'

/**
 * Script evaluation with a bill. The SDK's interpreter has no limit on the work one
 * script may do after Genesis: a locking script that hashes an 8 MB stack item 50,000
 * times runs for hours. Before each opcode runs we charge its worst-case cost against
 * one budget shared by every input of the payment and its unmined ancestors, and stop
 * the moment the bill would exceed it. Bitcoin script has no loops, so each opcode runs
 * at most once and the bill bounds the whole evaluation.
 *
 * Cost units are rough microseconds of JavaScript on a phone-class core (measured with
 * @bsv/sdk 2.1 in Node: ~4.5 ms per ECDSA verification, ~30 MB/s SHA-256, ~100 MB/s
 * array copies), so the budget reads as a time.
 */

export interface ScriptCostLimits {
  /** Budget for all script evaluation of one payment, in cost units (≈ µs). */
  readonly maxScriptCost: number
  /**
   * Largest operand of a numeric opcode. Bitcoin SV nodes refuse larger numbers by
   * default policy (`maxscriptnumlengthpolicy` = 10,000), and multiplying or dividing
   * bigger ones costs more than linear time.
   */
  readonly maxScriptNumBytes: number
  /** Stack memory per input, bytes (the interpreter's own check). */
  readonly scriptMemoryLimit: number
}

/** One ECDSA verification, plus serialising the script code and hashing the preimage. */
const SIGCHECK_COST = 5_000
const SIGHASH_BYTE_COST = 0.1
const HASH_BYTE_COST = 0.05
/** Opcodes that read, copy or compare whole stack items. */
const TOUCH_BYTE_COST = 0.02
const STEP_COST = 1

/** SIGHASH_ALL | SIGHASH_FORKID: the only signature type a payment may carry. */
export const SIGHASH_ALL_FORKID = 0x41

export class ScriptTooCostly extends Error {}
export class UnsafeSighash extends Error {}

const HASH_OPS = new Set<number>([OP.OP_RIPEMD160, OP.OP_SHA1, OP.OP_SHA256, OP.OP_HASH160, OP.OP_HASH256])
const SIG_OPS = new Set<number>([OP.OP_CHECKSIG, OP.OP_CHECKSIGVERIFY])
const MULTISIG_OPS = new Set<number>([OP.OP_CHECKMULTISIG, OP.OP_CHECKMULTISIGVERIFY])
/** Opcodes that read their operands as script numbers, with how many they read. */
const NUMERIC_OPERANDS = new Map<number, number>([
  [OP.OP_1ADD, 1], [OP.OP_1SUB, 1], [OP.OP_2MUL, 1], [OP.OP_2DIV, 1], [OP.OP_NEGATE, 1], [OP.OP_ABS, 1], [OP.OP_NOT, 1], [OP.OP_0NOTEQUAL, 1],
  [OP.OP_ADD, 2], [OP.OP_SUB, 2], [OP.OP_MUL, 2], [OP.OP_DIV, 2], [OP.OP_MOD, 2], [OP.OP_LSHIFTNUM, 2], [OP.OP_RSHIFTNUM, 2],
  [OP.OP_BOOLAND, 2], [OP.OP_BOOLOR, 2], [OP.OP_NUMEQUAL, 2], [OP.OP_NUMEQUALVERIFY, 2], [OP.OP_NUMNOTEQUAL, 2],
  [OP.OP_LESSTHAN, 2], [OP.OP_GREATERTHAN, 2], [OP.OP_LESSTHANOREQUAL, 2], [OP.OP_GREATERTHANOREQUAL, 2],
  [OP.OP_MIN, 2], [OP.OP_MAX, 2], [OP.OP_WITHIN, 3],
  // The count / size operand only; the other operands are byte strings.
  [OP.OP_PICK, 1], [OP.OP_ROLL, 1], [OP.OP_NUM2BIN, 1], [OP.OP_SPLIT, 1], [OP.OP_LSHIFT, 1], [OP.OP_RSHIFT, 1]
])
const QUADRATIC_OPS = new Set<number>([OP.OP_MUL, OP.OP_DIV, OP.OP_MOD])
/** Opcodes that move items without reading or copying their bytes. */
const MOVE_OPS = new Set<number>([
  OP.OP_NOP, OP.OP_ELSE, OP.OP_ENDIF, OP.OP_DROP, OP.OP_2DROP, OP.OP_NIP, OP.OP_SWAP, OP.OP_2SWAP, OP.OP_ROT, OP.OP_2ROT,
  OP.OP_TOALTSTACK, OP.OP_FROMALTSTACK, OP.OP_CODESEPARATOR, OP.OP_RETURN
])

/** A script number as a JS number, or Infinity if it has more than 6 bytes (never a sane count). */
function smallNum (bytes: readonly number[] | undefined): number {
  if (bytes === undefined || bytes.length === 0) return 0
  if (bytes.length > 6) return Infinity
  let n = 0
  for (let i = bytes.length - 1; i >= 0; i--) n = n * 256 + ((bytes[i] as number) & (i === bytes.length - 1 ? 0x7f : 0xff))
  return ((bytes[bytes.length - 1] as number) & 0x80) !== 0 ? -n : n
}

/** The running bill of one payment's script evaluation. */
export class ScriptMeter {
  spent = 0
  constructor (readonly limits: ScriptCostLimits) {}

  charge (units: number, what: string): void {
    this.spent += units
    if (this.spent > this.limits.maxScriptCost) {
      throw new ScriptTooCostly(`checking the scripts would cost more than ${this.limits.maxScriptCost} units (at ${what})`)
    }
  }
}

export interface SpendParams {
  readonly tx: Transaction
  readonly inputIndex: number
  readonly meter: ScriptMeter
  /** Fail any non-empty signature whose sighash type is not ALL|FORKID. */
  readonly requireSighashAll: boolean
  /** From `preimageBytes(tx)`, computed once per transaction. */
  readonly preimageBytes: number
}

/** Bytes of the signature-hash preimage parts every signature check of `tx` hashes: prevouts, sequences, outputs. */
export function preimageBytes (tx: Transaction): number {
  return tx.inputs.length * 40 + tx.outputs.reduce((s, o) => s + 9 + o.lockingScript.toBinary().length, 0) + 200
}

/**
 * Spend with a bill: `step()` is the one public hook the SDK interpreter calls for each
 * opcode (from `validate()`), so overriding it sees every opcode before it runs, with the
 * stack it will run on.
 */
class MeteredSpend extends Spend {
  private readonly meter: ScriptMeter
  private readonly requireSighashAll: boolean
  private readonly preimageBytes: number
  private readonly scriptBytes: { UnlockingScript: number, LockingScript: number }

  constructor (args: ConstructorParameters<typeof Spend>[0], p: SpendParams) {
    super(args)
    this.meter = p.meter
    this.requireSighashAll = p.requireSighashAll
    this.preimageBytes = p.preimageBytes
    this.scriptBytes = { UnlockingScript: args.unlockingScript.toBinary().length, LockingScript: args.lockingScript.toBinary().length }
  }

  override step (): boolean {
    const script = this.context === 'UnlockingScript' ? this.unlockingScript : this.lockingScript
    const chunk = script.chunks[this.programCounter]
    if (chunk !== undefined) this.bill(chunk.op, this.scriptBytes[this.context])
    const before = this.stackMem + this.altStackMem
    const r = super.step()
    const grown = this.stackMem + this.altStackMem - before
    // Whatever an opcode allocated it also wrote.
    if (grown > 0) this.meter.charge(grown * TOUCH_BYTE_COST, 'a stack write')
    return r
  }

  /** Top of the stack, `depth` 1 = top. */
  private item (depth: number): number[] | undefined {
    return this.stack[this.stack.length - depth]
  }

  private bill (op: number, scriptBytes: number): void {
    const m = this.meter
    // The interpreter scans the whole IF stack on every step: deep nesting is quadratic.
    m.charge(STEP_COST + this.ifStack.length * 0.002, 'an opcode')
    // Skipped branches cost one step each; pushes cost nothing more (no copy is made).
    const executing = !this.returningFromConditional && !this.ifStack.includes(false)
    if (!executing || op <= OP.OP_16) return
    const size = (d: number): number => this.item(d)?.length ?? 0

    const nums = NUMERIC_OPERANDS.get(op)
    if (nums !== undefined) {
      for (let d = 1; d <= nums; d++) {
        if (size(d) > this.meter.limits.maxScriptNumBytes) {
          throw new ScriptTooCostly(`a number of ${size(d)} bytes, limit ${this.meter.limits.maxScriptNumBytes}`)
        }
      }
      if (QUADRATIC_OPS.has(op)) m.charge(size(1) * size(2) * 0.001, 'big-number arithmetic')
    }

    if (op === OP.OP_LSHIFT || op === OP.OP_LSHIFTNUM) {
      // The SDK shifts a big number left by the full amount before truncating: a shift of
      // 2^38 bits would build a 32 GB number. No meaningful shift exceeds the item's bits.
      const bits = smallNum(this.item(1))
      const most = op === OP.OP_LSHIFT ? size(2) * 8 : this.meter.limits.maxScriptNumBytes * 8
      if (bits > most) throw new ScriptTooCostly(`a left shift by ${bits} bits`)
    }

    if (HASH_OPS.has(op)) {
      m.charge(size(1) * HASH_BYTE_COST, 'a hash')
    } else if (SIG_OPS.has(op)) {
      if (this.requireSighashAll) this.checkSighash(this.item(2))
      m.charge(SIGCHECK_COST + (scriptBytes + this.preimageBytes) * SIGHASH_BYTE_COST, 'a signature check')
    } else if (MULTISIG_OPS.has(op)) {
      this.billMultisig(scriptBytes)
    } else if (op === OP.OP_NUM2BIN) {
      // The SDK allocates the requested size before its memory check.
      const want = smallNum(this.item(1))
      if (want > this.memoryLimit - this.stackMem) throw new ScriptTooCostly(`OP_NUM2BIN of ${want} bytes`)
      m.charge(Math.max(0, want) * TOUCH_BYTE_COST, 'OP_NUM2BIN')
    } else if (MOVE_OPS.has(op)) {
      // One step, charged above.
    } else if (op === OP.OP_PICK || op === OP.OP_ROLL || op === OP.OP_DEPTH) {
      m.charge(this.stack.length * 0.01 + size(1) * TOUCH_BYTE_COST, 'a stack walk')
    } else {
      // Everything else reads at most its top three items (and writes what is charged after).
      m.charge((size(1) + size(2) + size(3)) * TOUCH_BYTE_COST, 'an opcode on stack items')
    }
  }

  private billMultisig (scriptBytes: number): void {
    const nKeys = smallNum(this.item(1))
    if (!Number.isFinite(nKeys) || nKeys < 0 || nKeys + 2 > this.stack.length) return // the interpreter refuses it
    const nSigs = smallNum(this.item(nKeys + 2))
    if (this.requireSighashAll && Number.isFinite(nSigs) && nSigs > 0 && nSigs <= nKeys) {
      for (let s = 0; s < nSigs; s++) this.checkSighash(this.item(nKeys + 3 + s))
    }
    // Up to one verification per key.
    this.meter.charge(Math.max(1, nKeys) * (SIGCHECK_COST + (scriptBytes + this.preimageBytes) * SIGHASH_BYTE_COST), 'a multisig check')
  }

  private checkSighash (sig: number[] | undefined): void {
    // An empty signature is the standard way to fail a check on purpose: it authorises nothing.
    if (sig === undefined || sig.length === 0) return
    const type = sig[sig.length - 1] as number
    if (type !== SIGHASH_ALL_FORKID) throw new UnsafeSighash(`signature with sighash type 0x${type.toString(16).padStart(2, '0')}, not ALL|FORKID (0x41)`)
  }
}

/**
 * Runs input `inputIndex`'s unlocking and locking scripts under the meter. Returns true
 * when valid; throws ScriptTooCostly / UnsafeSighash for those refusals and the SDK's
 * own error (or returns false) when the script fails.
 */
export function runMetered (p: SpendParams, memoryLimit: number): boolean {
  const { tx, inputIndex: i } = p
  const input = tx.inputs[i]
  const src = input?.sourceTransaction?.outputs[input.sourceOutputIndex]
  if (input === undefined || src === undefined || input.unlockingScript === undefined || input.sourceTXID === undefined) {
    throw new Error(`input ${i} has no linked source or no unlocking script`)
  }
  // Parsing (toBinary of the locking script for the preimage charge) is linear: charge it.
  p.meter.charge((input.unlockingScript.toBinary().length + src.lockingScript.toBinary().length) * TOUCH_BYTE_COST, 'reading scripts')
  const spend = new MeteredSpend({
    sourceTXID: input.sourceTXID,
    sourceOutputIndex: input.sourceOutputIndex,
    lockingScript: src.lockingScript,
    sourceSatoshis: src.satoshis ?? 0,
    transactionVersion: tx.version,
    otherInputs: tx.inputs.filter((_, j) => j !== i),
    unlockingScript: input.unlockingScript,
    inputSequence: input.sequence ?? 0xffffffff,
    inputIndex: i,
    outputs: tx.outputs,
    lockTime: tx.lockTime,
    memoryLimit
  }, p)
  return spend.validate()
}

/**
 * The sighash byte of a standard P2PKH unlocking script (`<sig> <pubkey>`), or undefined
 * if the script is not shaped like one. Lets the cheap pass refuse a weak signature
 * before any script runs; the metered interpreter checks every other script kind.
 */
export function p2pkhSighash (unlocking: { chunks: Array<{ op: number, data?: number[] }> }): number | undefined {
  const [sig, key] = unlocking.chunks
  if (unlocking.chunks.length !== 2 || sig?.data === undefined || key?.data === undefined) return undefined
  if (key.data.length !== 33 && key.data.length !== 65) return undefined
  if (sig.data.length < 9 || sig.data.length > 73 || sig.data[0] !== 0x30) return undefined
  return sig.data[sig.data.length - 1]
}
