import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The version of the package being built (tsup runs in the package's folder). */
function packageVersion() {
  try {
    return JSON.parse(readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * The shared tsup options. Each package's `tsup.config.ts` spreads this and sets its entries.
 * `__TRISIGNAL_VERSION__` is replaced by the package's version, so scope versions follow changesets.
 * @type {import('tsup').Options}
 */
export const baseConfig = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
  define: { __TRISIGNAL_VERSION__: JSON.stringify(packageVersion()) },
};
