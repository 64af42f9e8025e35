// A typed event emitter small enough not to need the `events` package.
export type Listener<T> = (value: T) => void

export class Emitter<Events extends Record<string, unknown>> {
  private readonly map = new Map<keyof Events, Set<Listener<never>>>()

  on<K extends keyof Events> (event: K, fn: Listener<Events[K]>): () => void {
    let set = this.map.get(event)
    if (set === undefined) { set = new Set(); this.map.set(event, set) }
    set.add(fn as Listener<never>)
    return () => { set.delete(fn as Listener<never>) }
  }

  emit<K extends keyof Events> (event: K, value: Events[K]): void {
    for (const fn of [...this.map.get(event) ?? []]) (fn as Listener<Events[K]>)(value)
  }
}
