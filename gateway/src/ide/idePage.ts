import type { IdeDemoUser } from './demoUsers.js';
import { RECIPE_ID_PLACEHOLDER, type ExampleTab } from './exampleTabs.js';

export interface IdePageOptions {
  endpoint: string;
  /** Where the bundle is served, e.g. `/ide/`. */
  assets: string;
  tabs: ExampleTab[];
  /** Offered in the IDE's "Signed in as" picker; none, or an empty list: no picker and no token in the page. */
  demoUsers?: readonly IdeDemoUser[] | undefined;
}

/** JSON that is safe inside a `<script>` element: no `</script>` or `<!--` can close it early. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The IDE's HTML. Every URL in it is relative to the gateway; the config is data (a JSON
 * script element), not code, so the page runs under a CSP that allows only 'self'.
 */
export function idePage({ endpoint, assets, tabs, demoUsers = [] }: IdePageOptions): string {
  const config = {
    endpoint,
    tabs: tabs.map(({ query, variables, headers }) => ({ query, variables, headers })),
    recipeIdPlaceholder: RECIPE_ID_PLACEHOLDER,
    ...(demoUsers.length > 0 && {
      demoUsers: demoUsers.map(({ user, name, roles, token }) => ({ user, name, roles, token })),
    }),
  };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Potluck GraphQL IDE</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${assets}ide.css" />
    <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
  </head>
  <body>
    <div id="graphiql">Loading the GraphQL IDE…</div>
    <script id="potluck-ide-config" type="application/json">${scriptSafeJson(config)}</script>
    <script type="module" src="${assets}ide.js"></script>
  </body>
</html>
`;
}

/** Only the gateway itself: scripts, styles, workers, fonts and fetches. */
export const IDE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const IDE_MISSING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>Potluck GraphQL IDE</title></head>
<body><p>The GraphQL IDE has not been built. Run <code>npm run build:ide</code> and reload.
The API itself is at <code>POST /graphql</code>.</p></body></html>
`;
