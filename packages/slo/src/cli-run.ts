/**
 * The `trisignal-slo` command: `validate`, `generate` (rules + promtool tests), `test` (runs promtool on
 * them) and `dashboard`. Exit codes: 0 success, 1 invalid spec or failing promtool, 2 usage error.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isTrisignalError } from '@trisignal/core';
import { generateArtifacts } from './generate.js';
import { loadSloFile, type LoadOptions } from './load.js';
import { checkRules, testRules } from './promtool.js';
import { VERSION } from './version.js';

/** Where the command writes. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `Usage: trisignal-slo <command> <spec.yaml|json> [options]

Commands:
  validate <spec>             check the spec; print its classes and objectives
  generate <spec>             write <service>.rules.yaml and <service>.rules.test.yaml
  test <spec>                 generate, then run promtool check rules and promtool test rules
  dashboard <spec>            print (or write with --out) the Grafana dashboard JSON

Options:
  --out <dir|file>            output folder (generate, test) or file (dashboard); test defaults to a temp folder
  --from <dialect>            auto (default), trisignal, sloth (prometheus/v1) or openslo (openslo/v1)
  --promtool <path>           promtool binary (default: $PROMTOOL, else promtool on PATH)
  --with-dashboard            generate: also write <service>.dashboard.json
  -h, --help                  this help
  -v, --version               the version
`;

/** Runs the command line; resolves with the exit code. Never calls `process.exit`. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        from: { type: 'string' },
        promtool: { type: 'string' },
        'with-dashboard': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    io.err(`trisignal-slo: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const [command, specPath, ...rest] = positionals;
  if (values.help === true || command === undefined) {
    if (values.help === true) io.out(USAGE);
    else io.err(USAGE);
    return values.help === true ? 0 : 2;
  }
  if (!['validate', 'generate', 'test', 'dashboard'].includes(command)) {
    io.err(`trisignal-slo: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (specPath === undefined || rest.length > 0) {
    io.err(`trisignal-slo: ${command} takes exactly one spec file\n\n${USAGE}`);
    return 2;
  }
  const from = values.from ?? 'auto';
  if (!['auto', 'trisignal', 'sloth', 'openslo'].includes(from)) {
    io.err(`trisignal-slo: --from must be auto, trisignal, sloth or openslo, got "${from}"\n`);
    return 2;
  }
  try {
    const { spec, warnings } = await loadSloFile(specPath, { from: from as LoadOptions['from'] });
    for (const w of warnings) io.err(`warning: ${w}\n`);
    if (command === 'validate') {
      io.out(
        `${specPath}: valid (${spec.service}, ${spec.period}, ${spec.classes.length} classes, ${spec.objectives.length} objectives)\n`,
      );
      for (const c of spec.classes) {
        const latency = c.latency
          .map((l) => `p${Number((l.quantile * 100).toPrecision(10))} ≤ ${l.thresholdSeconds}s`)
          .join(', ');
        io.out(
          `  ${c.name}: availability ${c.availability}%${latency === '' ? '' : `, ${latency}`}, ${c.match.length} matchers, priority ${c.priority}\n`,
        );
      }
      return 0;
    }
    const artifacts = generateArtifacts(spec);
    switch (command) {
      case 'generate': {
        const out = values.out ?? '.';
        await mkdir(out, { recursive: true });
        const files = [
          artifacts.rules,
          artifacts.tests,
          ...(values['with-dashboard'] === true ? [artifacts.dashboard] : []),
        ];
        for (const f of files) {
          await writeFile(path.join(out, f.name), f.content);
          io.out(`wrote ${path.join(out, f.name)}\n`);
        }
        return 0;
      }
      case 'dashboard': {
        if (values.out === undefined) io.out(artifacts.dashboard.content);
        else {
          await mkdir(path.dirname(values.out), { recursive: true });
          await writeFile(values.out, artifacts.dashboard.content);
          io.out(`wrote ${values.out}\n`);
        }
        return 0;
      }
      default: {
        const temporary = values.out === undefined;
        const out = values.out ?? (await mkdtemp(path.join(tmpdir(), 'trisignal-slo-')));
        try {
          await mkdir(out, { recursive: true });
          const rulesPath = path.join(out, artifacts.rules.name);
          const testsPath = path.join(out, artifacts.tests.name);
          await writeFile(rulesPath, artifacts.rules.content);
          await writeFile(testsPath, artifacts.tests.content);
          const options = { promtool: values.promtool };
          const check = await checkRules([rulesPath], options);
          io.out(`$ ${check.command}\n${check.stdout}${check.stderr}`);
          if (!check.ok) return 1;
          const test = await testRules([testsPath], options);
          io.out(`$ ${test.command}\n${test.stdout}${test.stderr}`);
          return test.ok ? 0 : 1;
        } finally {
          if (temporary) await rm(out, { recursive: true, force: true });
        }
      }
    }
  } catch (error) {
    if (isTrisignalError(error)) {
      io.err(`trisignal-slo: ${error.code}: ${error.message}\n`);
      return 1;
    }
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES') {
      io.err(`trisignal-slo: ${e.message}\n`);
      return 1;
    }
    throw error;
  }
}
