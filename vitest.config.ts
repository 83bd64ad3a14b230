import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only fight over them.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    // The imaging sandbox's children run compiled, as in production (the set-up compiles dist/ first); through tsx
    // each would take a second longer to start.
    env: { LOUPE_SANDBOX_CHILD: fileURLToPath(new URL('./dist/imaging/sandbox/child.js', import.meta.url)) },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
