import { defineConfig } from 'tsup';
import { baseConfig } from '@trisignal/tsup-config';

// One entry per subpath so a user of `@trisignal/exporters/prometheus` loads no OTLP or remote-write code.
// `shims` gives the CJS build an `import.meta.url` for `createRequire` (native zstd and snappy are loaded
// lazily through it, only when that compression is used).
export default defineConfig({
  ...baseConfig,
  entry: ['src/index.ts', 'src/otlp-http.ts', 'src/prometheus.ts', 'src/remote-write.ts'],
  shims: true,
});
