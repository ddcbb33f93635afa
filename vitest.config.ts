import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['sfgen-source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['sfgen-source', 'import', 'module', 'node', 'default'] } },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules', 'dist', 'test/**/tmp/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    typecheck: {
      enabled: false,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
