/** The shapes of a round, starting one later each round: none is always measured first, when drift is largest. */
export function inTurn<T>(items: readonly T[], round: number): T[] {
  const shift = (round - 1) % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
