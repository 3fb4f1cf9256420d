import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Aliases `@trisignal/<pkg>` to `packages/<pkg>/src/index.ts` and `@trisignal/<pkg>/<sub>` to
 * `packages/<pkg>/src/<sub>.ts`, so every test runs against source without a build. The private shared
 * suites of `tooling/` are listed first: the first matching alias wins.
 */
export const trisignalAliases = [
  { find: /^@trisignal\/conformance$/, replacement: path.join(root, 'tooling/conformance/src/index.ts') },
  { find: /^@trisignal\/([a-z-]+)$/, replacement: path.join(root, 'packages/$1/src/index.ts') },
  { find: /^@trisignal\/([a-z-]+)\/([a-z-]+)$/, replacement: path.join(root, 'packages/$1/src/$2.ts') },
];

/**
 * The project settings every package's `vitest.config.ts` starts from.
 * @param {string} name the project name shown by vitest
 * @returns {import('vitest/config').UserWorkspaceConfig}
 */
export function defineProject(name) {
  return {
    resolve: { alias: trisignalAliases },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 20_000,
      hookTimeout: 20_000,
      restoreMocks: true,
      benchmark: { include: ['bench/**/*.bench.ts'] },
    },
  };
}
