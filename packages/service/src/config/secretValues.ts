/** Name segments that mark a secret. Whole segments only: `API_KEY` holds a secret, `MAX_TOKENS` a count. */
const SECRET_SEGMENTS = new Set(['PASSWORD', 'PASSWD', 'PASS', 'PASSPHRASE', 'SECRET', 'TOKEN', 'KEY', 'APIKEY']);

// A URL's password as a URL parser finds it: between the first ":" after the user and the last "@" of the authority.
const PASSWORD_IN_AUTHORITY = /([a-z][a-z\d+.-]*:\/\/[^:/?#\\@\s]*:)[^/?#\\]*@/gi;
// When the value is no URL, a password may hold "/", "?", "#" or "@": mask up to the last "@".
const PASSWORD_ANYWHERE = /([a-z][a-z\d+.-]*:\/\/[^:/?#\\@\s]*:).*@/gis;

/** Whether a variable's name says it holds a secret (`DB_PASSWORD`, `APOLLO_KEY`, `JWT_SECRET`). */
export function isSecretName(name: string): boolean {
  return name
    .toUpperCase()
    .split(/[^A-Z\d]+/)
    .some((segment) => SECRET_SEGMENTS.has(segment));
}

/** The value with the password of every `scheme://user:password@` in it replaced by `***`. */
export function maskUrlPasswords(value: string): string {
  return value.replace(URL.canParse(value.trim()) ? PASSWORD_IN_AUTHORITY : PASSWORD_ANYWHERE, '$1***@');
}

/**
 * A variable's value as it may appear in an error message or a log: `***` for a variable
 * named as a secret, otherwise the value with URL passwords masked.
 */
export function displayValue(name: string, value: unknown): string {
  if (isSecretName(name)) return '***';
  return maskUrlPasswords(String(value));
}
