import { Utils } from '@bsv/sdk'

/**
 * The SDK's reader does not throw when it reads past the end: it returns undefined
 * bytes and keeps going. On hostile input that turns a claimed count of 2^53
 * transactions into a loop of 2^53 iterations. This reader throws the moment a read
 * would leave the buffer, so every parse loop is bounded by the input length.
 */
export class BoundedReader extends Utils.ReaderUint8Array {
  get size (): number {
    return this.bin.length
  }
}

function overrun (): never {
  throw new RangeError('read past the end of the data')
}

const base = Utils.ReaderUint8Array.prototype as unknown as Record<string, unknown>
const proto = BoundedReader.prototype as unknown as Record<string, unknown>
for (const name of Object.getOwnPropertyNames(Utils.ReaderUint8Array.prototype)) {
  const original = base[name]
  if (!name.startsWith('read') || typeof original !== 'function') continue
  const fn = original as (this: BoundedReader, ...args: unknown[]) => unknown
  if (name === 'read' || name === 'readReverse') {
    // Check before: readReverse allocates the claimed length up front.
    proto[name] = function (this: BoundedReader, len?: unknown, ...rest: unknown[]) {
      const n = typeof len === 'number' ? len : this.size - this.pos
      if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.size) overrun()
      return fn.call(this, n, ...rest)
    }
  } else {
    proto[name] = function (this: BoundedReader, ...args: unknown[]) {
      const out = fn.apply(this, args)
      if (this.pos > this.size) overrun()
      return out
    }
  }
}
