import { defineConfig } from 'tsup';
import { baseConfig } from '@trisignal/tsup-config';

// `src/cli.ts` starts with a hashbang, which esbuild keeps (and tsup then marks the file executable):
// `dist/cli.js` is the `trisignal-wal` bin. `shims` gives the CJS build an `import.meta.url` for
// `createRequire` (native bindings are loaded lazily through it).
export default defineConfig({ ...baseConfig, entry: ['src/index.ts', 'src/cli.ts'], shims: true });
