import { defineConfig } from 'tsup';
import { baseConfig } from '@trisignal/tsup-config';

// `src/cli.ts` starts with a hashbang, which esbuild keeps (tsup then marks the file executable):
// `dist/cli.js` is the `trisignal-slo` bin, built as its own entry.
export default defineConfig({ ...baseConfig, entry: ['src/index.ts', 'src/cli.ts'] });
