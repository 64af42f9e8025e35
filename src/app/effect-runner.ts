// Runs a protocol machine's effects strictly in order. A `persist` must be durable
// before the next effect starts; if it fails, the rest of that transition is dropped
// (the machine's contract: nothing leaves the device that is not stored first).

export class EffectQueue<E> {
  private queue: Array<{ effect: E, batch: number }> = []
  private running = false
  private batch = 0
  private dropped = new Set<number>()

  constructor (private readonly exec: (effect: E) => Promise<void>, private readonly isPersist: (effect: E) => boolean, private readonly onError: (e: unknown) => void) {}

  push (effects: E[]): void {
    const batch = ++this.batch
    for (const effect of effects) this.queue.push({ effect, batch })
    void this.drain()
  }

  private async drain (): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      while (this.queue.length > 0) {
        const { effect, batch } = this.queue.shift()!
        if (this.dropped.has(batch)) continue
        try {
          await this.exec(effect)
        } catch (e) {
          if (this.isPersist(effect)) this.dropped.add(batch)
          this.onError(e)
        }
      }
    } finally {
      this.running = false
    }
  }
}

/** Milliseconds until a Unix-seconds deadline (never negative), for machine timers. */
export function delayUntil (atSec: number): number {
  return Math.max(0, atSec * 1000 - Date.now())
}
