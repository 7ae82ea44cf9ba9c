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

/** The longest message a response carries, whatever wrote it. */
export const MESSAGE_LIMIT = 1000;

/** Where the quoted value that starts at `from` ends (the index of its closing quote), or -1. */
function closingQuote(text: string, from: number): number {
  for (let index = from; index < text.length; index += 1) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === '"') return index;
  }
  return -1;
}

/**
 * A message with every quoted value in it cut to a short prefix, then capped as a whole.
 * GraphQL's own messages quote a bad variable in full, twice ("got invalid value …; … cannot
 * represent …"), so a megabyte of input would otherwise come back, and be logged, twice over.
 * One pass, whatever the message holds (a regular expression here backtracks quadratically on
 * a client's `a\"a\"…`), stopping once the limit is reached.
 */
export function withShortQuotes(message: string): string {
  let shown = '';
  let from = 0;
  while (from < message.length && shown.length <= MESSAGE_LIMIT) {
    const open = message.indexOf('"', from);
    if (open < 0) return shortened(shown + message.slice(from), MESSAGE_LIMIT);
    const close = closingQuote(message, open + 1);
    const end = close < 0 ? message.length : close;
    shown += `${message.slice(from, open)}"${shortened(message.slice(open + 1, end))}${close < 0 ? '' : '"'}`;
    from = end + 1;
  }
  return shortened(shown, MESSAGE_LIMIT);
}
