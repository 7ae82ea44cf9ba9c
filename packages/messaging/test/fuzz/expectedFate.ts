import { validateEvent, type EventType, type ValidEvent } from '@potluck/messaging';
import { BINDINGS } from '../consumerHarness.js';

/** The body limit the consumer under test is given: generated bodies straddle it. */
export const MAX_BODY_BYTES = 4096;

/** What a generated event's title asks the test handler to do with it. */
export type Verdict = 'ok' | 'fail-twice' | 'fail-always' | 'poison';

/** What should become of a message: applied (the event id), parked (the reason), or either. */
export interface Expected {
  applied?: string;
  parked?: RegExp;
}

/**
 * The consumer's documented contract for one body. Headers only matter when the handler
 * fails: a forged retry record (`x-death` naming the retry queue) may get a message parked
 * early, never lost.
 */
export function expectedFate(body: Buffer, forged: boolean): Expected {
  if (body.length > MAX_BODY_BYTES) return { parked: /^too-large$/ };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { parked: /^malformed-json$/ };
  }
  if (!BINDINGS.includes((parsed as { type?: unknown } | null)?.type as EventType)) return { parked: /^unknown-type$/ };
  let event: ValidEvent;
  try {
    event = validateEvent(parsed);
  } catch {
    return { parked: /^contract-violation$/ };
  }
  const applied = event.id.toLowerCase();
  const failed = forged ? /^failed \d+ times$/ : /^failed 3 times$/;
  const verdict = verdictOf(event);
  if (verdict === 'poison') return { parked: /^poison$/ };
  if (verdict === 'fail-always') return { parked: failed };
  return verdict === 'fail-twice' && forged ? { applied, parked: failed } : { applied };
}

export function verdictOf(event: ValidEvent): Verdict | undefined {
  const title = (event.data as { title?: unknown }).title;
  return typeof title === 'string' && title.startsWith('fuzz:') ? (title.slice(5) as Verdict) : undefined;
}
