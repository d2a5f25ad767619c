import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // the e2e and integration suites start real emulators and run real scripts
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
