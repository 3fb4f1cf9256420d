#!/usr/bin/env node
// `pnpm changeset …`: runs @changesets/cli 3 on Node 24, since it requires Node ≥ 22.11 and the workspace
// runs on Node 20 too.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureNode24 } from './node24.mjs';

const require = createRequire(import.meta.url);
const cli = path.join(path.dirname(require.resolve('@changesets/cli/package.json')), 'bin.js');
const node = ensureNode24();
const result = spawnSync(node, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
