import { quoted } from './echo.js';
import { BadUserInputError } from './errors.js';

/**
 * Opaque keyset cursors: base64url JSON of a tag (the order it belongs to) and the sort
 * key values of the last row seen. Decoding checks the tag so a cursor taken under one
 * order cannot silently be used under another.
 */
export function encodeCursor(tag: string, values: Array<string | number>): string {
  return Buffer.from(JSON.stringify([tag, ...values])).toString('base64url');
}

export function decodeCursor(cursor: string, tag: string, argument = 'after'): Array<string | number> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadUserInputError(`${argument} is not a valid cursor`, argument);
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length < 2 ||
    !decoded.every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    throw new BadUserInputError(`${argument} is not a valid cursor`, argument);
  }
  const [cursorTag, ...values] = decoded as Array<string | number>;
  if (cursorTag !== tag) {
    throw new BadUserInputError(
      `${argument} is a cursor for another ordering (${quoted(cursorTag)}), not ${tag}`,
      argument,
    );
  }
  return values;
}

/** `first` as the connections accept it: a whole number from 1 to `max`. */
export function checkPageSize(first: number, max = 100): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new BadUserInputError(`first must be between 1 and ${max}, got ${first}`, 'first');
  }
  return first;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a row, so lookups treat it as not found. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
