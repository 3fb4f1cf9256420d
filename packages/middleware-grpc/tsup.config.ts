import { defineConfig } from 'tsup';
import { baseConfig } from '@trisignal/tsup-config';

export default defineConfig({ ...baseConfig, entry: ['src/index.ts'] });
