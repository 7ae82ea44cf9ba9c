import { BadUserInputError } from '@potluck/service';

/** Where one event sits in the gateway's event stream: its offset, and its id to recognise it there. */
export interface StreamPosition {
  offset: number;
  eventId: string;
}

const VERSION = 'v1';
const MAX_CURSOR_CHARS = 120;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const DECODED = /^v1:(0|[1-9]\d{0,15}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The opaque cursor of an event: base64url of `v1:<stream offset>:<event id>`. */
export function encodeCursor({ offset, eventId }: StreamPosition): string {
  return Buffer.from(`${VERSION}:${offset}:${eventId}`, 'utf8').toString('base64url');
}

function refuse(): never {
  throw new BadUserInputError(
    'after: not a cursor this API gave out; pass the cursor of an event you received',
    'after',
  );
}

/**
 * The position an `after` argument names, or BAD_USER_INPUT naming `after` for anything that
 * is not a cursor `encodeCursor` wrote (too long, not base64url, another version, an offset
 * past what a number holds exactly).
 */
export function decodeCursor(cursor: string): StreamPosition {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !BASE64URL.test(cursor)) refuse();
  const match = DECODED.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) refuse();
  const offset = Number(match[1]);
  if (!Number.isSafeInteger(offset)) refuse();
  return { offset, eventId: match[2]! };
}
