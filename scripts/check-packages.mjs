#!/usr/bin/env node
// Checks every publishable package as npm will see it: publint (package.json, exports, files) and
// are-the-types-wrong on the packed tarball (ESM and CJS types resolve under node16 and bundlers).
// Needs built packages (`turbo run build`).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, pnpm } from './bootstrap.mjs';

const packagesDir = path.join(ROOT, 'packages');
const only = process.argv.slice(2);
for (const name of readdirSync(packagesDir).sort()) {
  const dir = path.join(packagesDir, name);
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  if (pkg.private || (only.length > 0 && !only.includes(pkg.name))) continue;
  process.stdout.write(`check-packages: ${pkg.name}\n`);
  pnpm(['exec', 'publint', '--strict', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  pnpm(['exec', 'attw', '--pack', dir, '--profile', 'node16', '--format', 'ascii'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
