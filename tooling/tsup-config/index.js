/**
 * The shared tsup options. Each package's `tsup.config.ts` spreads this and sets its entries.
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
};
