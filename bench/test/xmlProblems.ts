/**
 * A small XML well-formedness check for the SVG the charts write (no XML parser is installed):
 * one root, tags balanced and nested, attribute values quoted, no bare `<` or `&` in text or
 * attributes. Returns what is wrong, empty when nothing is.
 */
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;

function badAmpersands(text: string, at: number): string[] {
  return [...text.matchAll(/&/g)]
    .filter((match) => !ENTITY.test(text.slice(match.index)))
    .map((match) => `bare & at ${at + match.index}`);
}

export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  let roots = 0;
  let position = 0;
  while (position < xml.length) {
    if (xml[position] !== '<') {
      const end = xml.indexOf('<', position);
      const text = xml.slice(position, end === -1 ? undefined : end);
      if (open.length === 0 && text.trim() !== '') problems.push(`text outside the root at ${position}`);
      problems.push(...badAmpersands(text, position));
      position += text.length;
      continue;
    }
    TAG.lastIndex = position;
    const tag = TAG.exec(xml);
    if (!tag) {
      problems.push(`bare < at ${position}: ${xml.slice(position, position + 30)}`);
      position += 1;
      continue;
    }
    const [whole, closing, name, attributes, selfClosing] = tag;
    problems.push(...badAmpersands(attributes ?? '', position));
    if (open.length === 0 && !closing) roots += 1;
    if (closing) {
      const expected = open.pop();
      if (expected !== name) problems.push(`</${name}> closes <${expected ?? 'nothing'}> at ${position}`);
    } else if (!selfClosing) open.push(name!);
    position += whole.length;
  }
  if (open.length > 0) problems.push(`unclosed: ${open.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
