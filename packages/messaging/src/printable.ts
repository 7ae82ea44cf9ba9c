/**
 * C0 controls, DEL, C1 controls (U+0080–U+009F, which some terminals read as ESC
 * sequences), the line and paragraph separators, and the bidirectional formatting
 * characters (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069) that reorder what
 * a reader sees.
 */
function isUnsafe(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * Text safe to print on an operator's terminal: every control or reordering character
 * becomes a visible `\uXXXX` escape, so a hostile message can neither move the cursor,
 * recolour the screen, nor disguise what it says. The escape is JSON's, so a JSON line
 * passed through stays valid JSON.
 */
export function printable(text: string): string {
  let safe = '';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    safe += isUnsafe(code) ? `\\u${code.toString(16).padStart(4, '0')}` : character;
  }
  return safe;
}
