import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The AWS SDK's Node 20 support-window notice, off in the tests and the servers they start, as in the CLI.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    setupFiles: ['test/setup/environment.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
