/** Hand-written SVG: strings in, strings out, so charts render without a browser or a chart library. */

export type Attributes = Record<string, string | number | undefined>;

/** Safe in text and in double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An element; `children` must already be markup (use `label` for text). */
export function element(name: string, attributes: Attributes, children = ''): string {
  const attrs = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
  return children === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

export function label(x: number, y: number, content: string, attributes: Attributes = {}): string {
  return element('text', { x: fixed(x), y: fixed(y), ...attributes }, escapeXml(content));
}

/** A tooltip and an accessible name for the element it is the first child of. */
export function tooltip(content: string): string {
  return element('title', {}, escapeXml(content));
}

export const fixed = (value: number) => Math.round(value * 10) / 10;

/** Okabe–Ito colours (told apart with colour blindness); dashes tell series apart in grey too. */
export const SERIES_STYLES = [
  { color: '#0072B2', dash: undefined },
  { color: '#D55E00', dash: '6 3' },
  { color: '#009E73', dash: '2 3' },
  { color: '#CC79A7', dash: '8 3 2 3' },
  { color: '#E69F00', dash: '4 4' },
  { color: '#56B4E9', dash: '1 2' },
] as const;

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export type Scale = (value: number) => number;

export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

export function logScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  const scale = linearScale([Math.log10(d0), Math.log10(d1)], [r0, r1]);
  return (value) => scale(Math.log10(Math.max(value, d0)));
}

/** A log domain padded out to 1–2–5 steps around the values, and its ticks. */
export function logDomain(values: number[]): { domain: [number, number]; ticks: number[] } {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value));
  const [low, high] = positive.length ? [Math.min(...positive), Math.max(...positive)] : [1, 10];
  const steps = (exponent: number) => [1, 2, 5].map((step) => step * 10 ** exponent);
  const candidates = Array.from({ length: 12 }, (_, i) => steps(Math.floor(Math.log10(low)) - 1 + i)).flat();
  const min = candidates.filter((tick) => tick <= low / 1.05).at(-1) ?? low;
  const max = candidates.find((tick) => tick >= high * 1.05) ?? high;
  return { domain: [min, max], ticks: candidates.filter((tick) => tick >= min && tick <= max) };
}

/** 0 to a round number above `max`, and about five ticks on the way. */
export function linearDomain(max: number): { domain: [number, number]; ticks: number[] } {
  const top = max > 0 ? max * 1.1 : 1;
  const magnitude = 10 ** Math.floor(Math.log10(top / 5));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => top / s <= 6) ?? 10 * magnitude;
  const ticks = Array.from({ length: Math.ceil(top / step) + 1 }, (_, i) => Number((i * step).toPrecision(6)));
  return { domain: [0, ticks.at(-1)!], ticks };
}

/** Milliseconds as people read them: 0.35 ms, 12 ms, 1.2 s. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number(ms.toPrecision(ms >= 10 ? 3 : 2))} ms`;
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
