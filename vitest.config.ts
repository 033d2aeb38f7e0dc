import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Suites start their own dynalite / SES emulator / Chromium on loopback; give cold starts room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Pinned SDK versions: their "needs Node 22 later" notice is noise in every suite.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
