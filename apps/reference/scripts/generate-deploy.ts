/**
 * Writes the files of `deploy/` that come from `slo.yaml`: the Prometheus rules and their promtool tests
 * (`deploy/prometheus/rules/`, side by side because the test file names the rules file) and the Grafana
 * dashboard (`deploy/grafana/dashboards/`). The output depends only on the spec, so the files are
 * committed and `--check` tells when they are stale.
 *
 *   node --import tsx scripts/generate-deploy.ts           (npm run generate) write the files
 *   node --import tsx scripts/generate-deploy.ts --check   exit 1 when a committed file differs
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateArtifacts, loadSloFile, type SloSpec } from '@trisignal/slo';

/** apps/reference */
export const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Folders (relative to the app) that hold generated files only. */
export const RULES_DIR = 'deploy/prometheus/rules';
export const DASHBOARDS_DIR = 'deploy/grafana/dashboards';

/** Names the generator produces; other files in the generated folders are left alone. */
const GENERATED_NAME = /\.(rules\.yaml|rules\.test\.yaml|dashboard\.json)$/;

/** One generated file, `path` relative to the app folder with `/` separators. */
export interface DeployFile {
  readonly path: string;
  readonly content: string;
}

/** A committed file that does not match what would be generated. */
export interface StaleFile {
  readonly path: string;
  readonly problem: 'missing' | 'differs' | 'not generated';
}

/** The generated files of a spec and where they go (deterministic: same spec, same bytes). */
export function deployFiles(spec: SloSpec): DeployFile[] {
  const { rules, tests, dashboard } = generateArtifacts(spec);
  return [
    { path: `${RULES_DIR}/${rules.name}`, content: rules.content },
    { path: `${RULES_DIR}/${tests.name}`, content: tests.content },
    { path: `${DASHBOARDS_DIR}/${dashboard.name}`, content: dashboard.content },
  ];
}

/** Loads the spec file and plans its files. */
export async function planDeployFiles(
  sloFile: string = path.join(APP_DIR, 'slo.yaml'),
): Promise<DeployFile[]> {
  const { spec } = await loadSloFile(sloFile);
  return deployFiles(spec);
}

async function readOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function generatedNamesIn(appDir: string, dir: string): Promise<string[]> {
  try {
    const names = await readdir(path.join(appDir, dir));
    return names.filter((n) => GENERATED_NAME.test(n)).map((n) => `${dir}/${n}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Committed files that differ from `files`, are missing, or look generated but are not in `files` (a renamed service). */
export async function findStaleFiles(
  files: readonly DeployFile[],
  appDir: string = APP_DIR,
): Promise<StaleFile[]> {
  const stale: StaleFile[] = [];
  for (const f of files) {
    const committed = await readOrUndefined(path.join(appDir, f.path));
    if (committed === undefined) stale.push({ path: f.path, problem: 'missing' });
    else if (committed !== f.content) stale.push({ path: f.path, problem: 'differs' });
  }
  const planned = new Set(files.map((f) => f.path));
  for (const dir of [RULES_DIR, DASHBOARDS_DIR])
    for (const p of await generatedNamesIn(appDir, dir))
      if (!planned.has(p)) stale.push({ path: p, problem: 'not generated' });
  return stale;
}

/**
 * Writes `files` and removes generated-looking leftovers of an older spec from the generated folders;
 * returns the paths written or removed.
 */
export async function writeDeployFiles(
  files: readonly DeployFile[],
  appDir: string = APP_DIR,
): Promise<string[]> {
  const changed: string[] = [];
  const planned = new Set(files.map((f) => f.path));
  for (const dir of [RULES_DIR, DASHBOARDS_DIR])
    for (const p of await generatedNamesIn(appDir, dir))
      if (!planned.has(p)) {
        await rm(path.join(appDir, p));
        changed.push(p);
      }
  for (const f of files) {
    const target = path.join(appDir, f.path);
    // Unchanged files are not rewritten, so their mtimes (and file watchers) stay quiet.
    if ((await readOrUndefined(target)) === f.content) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, f.content);
    changed.push(f.path);
  }
  return changed;
}

const USAGE = 'usage: node --import tsx scripts/generate-deploy.ts [--check]\n';

/** The command line; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const check = args.includes('--check');
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument ${unknown.map((a) => `\`${a}\``).join(', ')}\n${USAGE}`);
    return 2;
  }
  const files = await planDeployFiles();
  if (check) {
    const stale = await findStaleFiles(files);
    if (stale.length === 0) {
      process.stdout.write(`deploy files are up to date with slo.yaml (${files.length} files)\n`);
      return 0;
    }
    process.stderr.write(
      'deploy files are out of date with slo.yaml:\n' +
        stale.map((s) => `  ${s.path}: ${s.problem}\n`).join('') +
        'Run `npm run generate` in apps/reference and commit the result ' +
        '(the script runs the built @trisignal/slo: rebuild it first if its source changed).\n',
    );
    return 1;
  }
  const changed = new Set(await writeDeployFiles(files));
  for (const f of files)
    process.stdout.write(`${changed.has(f.path) ? 'wrote    ' : 'unchanged'} ${f.path}\n`);
  for (const p of changed) if (!files.some((f) => f.path === p)) process.stdout.write(`removed   ${p}\n`);
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
