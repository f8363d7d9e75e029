import { afterAll, expect } from 'vitest';

// A test file that changes process.env must put it back (vi.stubEnv, then vi.unstubAllEnvs), or the
// next file run in the same worker would pass or fail by the order the files ran in.
const before = { ...process.env };
// Powertools' commons sets this when it is imported, to tag the SDK's user agent: a library's doing, not a test's.
const setOnImport = new Set(['AWS_SDK_UA_APP_ID']);

afterAll(() => {
  const names = new Set([...Object.keys(before), ...Object.keys(process.env)]);
  const changed = [...names].filter((name) => !setOnImport.has(name) && process.env[name] !== before[name]);
  expect(changed, 'environment variables this test file changed and did not restore').toEqual([]);
});
