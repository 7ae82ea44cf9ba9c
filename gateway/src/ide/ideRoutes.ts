import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from '@potluck/service';
import type { IdeDemoUsers } from './demoUsers.js';
import { exampleTabs } from './exampleTabs.js';
import { IDE_CONTENT_SECURITY_POLICY, IDE_MISSING_PAGE, idePage } from './idePage.js';

export interface IdeRouteOptions {
  /** The built bundle (see buildIde.ts). */
  distDir: string;
  operationsDir: string;
  logger: Logger;
  /**
   * Demo users to offer in the IDE's "Signed in as" picker, with their tokens (`demoUsersOf`:
   * only when the gateway trusts the development key). Left out, the page has neither.
   */
  demoUsers?: IdeDemoUsers | undefined;
}

const ASSETS = '/ide/';

async function readOperations(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.graphql')).sort();
  return Promise.all(files.map((file) => readFile(path.join(dir, file), 'utf8')));
}

/**
 * `GET /` answers a browser (Accept: text/html) with the GraphQL IDE and anything else
 * with a JSON pointer to the API; `/ide/*` serves the bundle; a browser opening
 * `/graphql` is sent to the IDE. The example operations are read once, at start; whether the
 * bundle is built is asked per page view, so `npm run build:ide` and a reload are enough.
 * With demo users, each page view carries their current tokens and is never cached.
 */
export async function ideRoutes({
  distDir,
  operationsDir,
  logger,
  demoUsers,
}: IdeRouteOptions): Promise<(app: Express) => void> {
  const isBuilt = () => existsSync(path.join(distDir, 'ide.js'));
  if (!isBuilt()) logger.warn({ distDir }, 'the GraphQL IDE is not built; run `npm run build:ide`');
  if (demoUsers) logger.info('the GraphQL IDE offers demo users signed in with the development key');
  const pageOptions = { endpoint: '/graphql', assets: ASSETS, tabs: exampleTabs(await readOperations(operationsDir)) };
  const page = idePage(pageOptions);
  const currentPage = async () => (demoUsers ? idePage({ ...pageOptions, demoUsers: await demoUsers() }) : page);
  return (app) => {
    app.get('/', async (req, res) => {
      if (req.accepts(['application/json', 'text/html']) !== 'text/html') {
        res.json({
          service: 'gateway',
          graphql: '/graphql',
          ide: '/ (open in a browser)',
          health: ['/health/live', '/health/ready'],
        });
        return;
      }
      res
        .set('content-security-policy', IDE_CONTENT_SECURITY_POLICY)
        .set('cache-control', demoUsers ? 'no-store' : 'no-cache');
      if (isBuilt()) res.type('html').send(await currentPage());
      else res.status(503).type('html').send(IDE_MISSING_PAGE);
    });
    app.get('/graphql', (req, res, next) => {
      const browsing =
        req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
      if (browsing && req.query.query === undefined) res.redirect(302, '/');
      else next();
    });
    app.use(ASSETS, express.static(distDir, { index: false, fallthrough: false, maxAge: '1h' }));
  };
}
