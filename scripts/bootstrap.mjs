#!/usr/bin/env node
// Makes a fresh clone ready on a machine that has only Node.js and npm: finds pnpm 12.4.2 (on PATH, or
// through npx), then installs the workspace from the lockfile. Other scripts import `pnpm()` from here.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PNPM_VERSION = '12.4.2';

let cached;

/** The command (and leading args) that runs pnpm 12.4.2 here. */
export function pnpmCommand() {
  if (cached) return cached;
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: false });
  if (probe.status === 0 && probe.stdout.trim() === PNPM_VERSION) {
    cached = ['pnpm'];
  } else {
    cached = ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
  }
  return cached;
}

/** Runs pnpm with `args` in the repository root; exits the process with pnpm's status on failure. */
export function pnpm(args, options = {}) {
  const [cmd, ...lead] = pnpmCommand();
  const result = spawnSync(cmd, [...lead, ...args], { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.error) {
    process.stderr.write(`bootstrap: could not run ${cmd}: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.status !== 0) {
    process.stderr.write(
      `bootstrap: \`pnpm ${args.join(' ')}\` failed with status ${result.status ?? result.signal}\n`,
    );
    process.exit(result.status ?? 1);
  }
  return result;
}

/** Installs the workspace exactly as locked. */
export function install() {
  pnpm(['install', '--frozen-lockfile']);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  install();
}
