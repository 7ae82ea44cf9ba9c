import { fileURLToPath } from 'node:url';

/** Where `npm run build:ide` writes the IDE bundle and the gateway serves it from (`/ide/…`); not committed. */
export const IDE_DIST = fileURLToPath(new URL('../../dist/ide', import.meta.url));
