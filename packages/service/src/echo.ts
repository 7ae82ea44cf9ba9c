/** How much of a client's own input an error message or a log line repeats back. */
export const ECHO_LIMIT = 64;

/** The text cut to `limit` characters, with an ellipsis saying it was cut. */
export function shortened(text: string, limit = ECHO_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}

/** A client's value as a message quotes it: JSON, cut to a short prefix. */
export function quoted(value: unknown, limit = ECHO_LIMIT): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return shortened(text, limit);
}

const LONG_QUOTE = new RegExp(`"((?:[^"\\\\]|\\\\.){${ECHO_LIMIT},})"`, 'g');

/** The longest message a response carries, whatever wrote it. */
export const MESSAGE_LIMIT = 1000;

/**
 * A message with every long quoted value in it cut short, then capped as a whole. GraphQL's own
 * messages quote a bad variable in full, twice ("got invalid value …; … cannot represent …"),
 * so a megabyte of input would otherwise come back, and be logged, twice over.
 */
export function withShortQuotes(message: string): string {
  const cut = message.replace(LONG_QUOTE, (_match, inner: string) => `"${shortened(inner)}"`);
  return shortened(cut, MESSAGE_LIMIT);
}
