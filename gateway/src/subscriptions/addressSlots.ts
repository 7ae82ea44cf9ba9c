/**
 * Counts what each client address holds (subscriptions, sockets) against `max` per address.
 * `acquire` takes one slot, or undefined when the address has them all; the function it
 * returns gives it back (once, however often it is called).
 */
export function addressSlots(max: number) {
  const held = new Map<string, number>();
  let total = 0;
  return {
    acquire(address: string): (() => void) | undefined {
      const count = held.get(address) ?? 0;
      if (count >= max) return undefined;
      held.set(address, count + 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (held.get(address) ?? 1) - 1;
        if (left === 0) held.delete(address);
        else held.set(address, left);
      };
    },
    /** Slots held now, all addresses. */
    get size(): number {
      return total;
    },
  };
}
