/** A clock the test moves by hand, passed to the service as its `clock` override. */
export function createTestClock(start = '2026-01-01T00:00:00.000Z') {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(iso: string) {
      current = new Date(iso);
    },
    advance(ms: number) {
      current = new Date(current.getTime() + ms);
    },
  };
}
