import { afterAll, beforeAll } from 'vitest';

/**
 * Something the calling test file shares between its tests: `start`ed before they run and
 * stopped after them. The returned object is empty until then and holds what `start` returned
 * from the first test on.
 */
export function useForTestFile<Started extends { stop(): Promise<unknown> }>(start: () => Promise<Started>): Started {
  const shared = {} as Started;
  let started: Started | undefined;
  beforeAll(async () => {
    started = await start();
    Object.assign(shared, started);
  });
  afterAll(() => started?.stop());
  return shared;
}
