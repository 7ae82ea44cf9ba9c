/** JSON over POST, which Apollo's CSRF prevention lets through. */
const JSON_HEADERS = {
  accept: 'application/graphql-response+json, application/json',
  'content-type': 'application/json',
};

/**
 * The headers of one request from the IDE: JSON, the picked demo user's token as
 * `Authorization: Bearer …`, then what the headers editor holds. The editor wins, names
 * compared without case: an `Authorization` typed there replaces the picked user's.
 */
export function requestHeaders(
  token: string | undefined,
  edited: Record<string, unknown> = {},
): Record<string, string> {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (token) headers.authorization = `Bearer ${token}`;
  for (const [name, value] of Object.entries(edited)) headers[name.toLowerCase()] = String(value);
  return headers;
}
