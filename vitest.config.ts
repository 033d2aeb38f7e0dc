import { defineConfig } from 'vitest/config';

/**
 * Four projects, one per kind of test (`npm run test:unit` runs the first alone):
 * - unit: pure modules and adapters on plain files; no engines, no browser, seconds in all;
 * - integration: against dynalite and the SES emulator on loopback, through the real SDK clients;
 * - infra: the CDK stack synthesized for real, and the Lambda bundles;
 * - e2e: the HTTP app and the email in headless Chromium (from npm).
 */
export default defineConfig({
  test: {
    // Suites start their own dynalite / SES emulator / Chromium on loopback; give cold starts room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Pinned SDK versions: their "needs Node 22 later" notice is noise in every suite.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      // Unit files start no engines and hold no state between files (checked with --sequence.shuffle):
      // threads that import each module once start in seconds, where a fork per file took ~30 s.
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], pool: 'threads', isolate: false },
      },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'infra', include: ['tests/infra/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'] } },
    ],
  },
});
