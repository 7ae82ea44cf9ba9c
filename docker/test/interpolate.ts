/**
 * Compose's variable interpolation, for the static checks: `$$`, `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}` and
 * `${VAR+alt}`. The `:` forms treat an empty value as unset, as Compose does. A test
 * compares the result with `docker-compose config`, so the two cannot drift apart.
 */
const PATTERN = /\$(?:(\$)|\{([A-Za-z_]\w*)(?:(:?)([-?+])((?:[^}])*))?\}|([A-Za-z_]\w*))/g;

export class InterpolationError extends Error {
  override name = 'InterpolationError';
}

export function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(
    PATTERN,
    (_match, dollar?: string, braced?: string, colon?: string, operator?: string, operand?: string, bare?: string) => {
      if (dollar) return '$';
      const name = (braced ?? bare)!;
      const value = vars[name];
      const set = colon ? value !== undefined && value !== '' : value !== undefined;
      switch (operator) {
        case '-':
          return set ? value! : operand!;
        case '?':
          if (!set) throw new InterpolationError(`${name}: ${operand || 'required'}`);
          return value!;
        case '+':
          return set ? operand! : '';
        default:
          return value ?? '';
      }
    },
  );
}

/** Interpolates every string in a parsed YAML document (values, not keys), as Compose does. */
export function interpolateAll(value: unknown, vars: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, vars)]));
  }
  return value;
}

/** The variables a text references without a default, i.e. the ones `.env` must provide. */
export function requiredVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(PATTERN)) {
    const [, dollar, braced, , operator, , bare] = match;
    if (!dollar && operator !== '-' && operator !== '+') names.add((braced ?? bare)!);
  }
  return [...names].sort();
}
