/**
 * Safe loading of spec files. YAML goes through the maintained `yaml` parser with the core schema (no
 * custom tags, no `<<` merge keys, unique keys), a cap on alias expansion (billion laughs), on input
 * size and on nesting depth; the parsed value is then copied into fresh plain objects, refusing
 * `__proto__`, `constructor` and `prototype` keys, so nothing downstream can be prototype-polluted.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { SloError, invalidOption } from './errors.js';
import { importOpenSlo, importSloth, type ImportResult } from './import.js';
import { defineSlo, type SloSpec, type SloSpecInput } from './spec.js';

/** Limits and format of {@link parseSpecText} and {@link loadSlo}. */
export interface LoadOptions {
  /** Largest accepted input, in bytes (UTF-8). @default 1048576 (1 MiB) */
  readonly maxBytes?: number | undefined;
  /** Largest number of alias expansions in a YAML document. @default 100 */
  readonly maxAliases?: number | undefined;
  /** Deepest accepted nesting of objects and lists. @default 32 */
  readonly maxDepth?: number | undefined;
  /** Input format. @default 'auto' (JSON when the text starts with `{` or `[`, else YAML) */
  readonly format?: 'auto' | 'yaml' | 'json' | undefined;
  /** Spec dialect. @default 'auto' (Sloth `prometheus/v1` and OpenSLO `openslo/v1` are recognised) */
  readonly from?: 'auto' | 'trisignal' | 'sloth' | 'openslo' | undefined;
}

/** Defaults of {@link LoadOptions}. */
export const LOAD_DEFAULTS = Object.freeze({
  maxBytes: 1024 * 1024,
  maxAliases: 100,
  maxDepth: 32,
  format: 'auto' as const,
  from: 'auto' as const,
});

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw invalidOption(field, value, 'a positive integer');
  return value;
}

function sanitize(value: unknown, path: string, depth: number, maxDepth: number): unknown {
  if (depth > maxDepth) {
    throw new SloError(
      'TRISIGNAL_SLO_LIMIT',
      `Expected the spec to nest at most ${maxDepth} levels deep, got deeper at \`${path || '(root)'}\``,
      { path },
    );
  }
  if (Array.isArray(value)) return value.map((v, i) => sanitize(v, `${path}[${i}]`, depth + 1, maxDepth));
  if (value instanceof Map) {
    throw new SloError(
      'TRISIGNAL_SLO_PARSE',
      `Expected \`${path || '(root)'}\` to have string keys, got a map with complex keys`,
      { path },
    );
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const at = path === '' ? key : `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) {
        throw new SloError(
          'TRISIGNAL_SLO_INVALID_SPEC',
          `Expected \`${at}\` to be absent (the key \`${key}\` is refused: prototype pollution)`,
          { path: at },
        );
      }
      Object.defineProperty(out, key, {
        value: sanitize((value as Record<string, unknown>)[key], at, depth + 1, maxDepth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/**
 * Parses YAML or JSON text into plain data, safely (see the module note). Multi-document YAML yields an
 * array of documents. Throws `TRISIGNAL_SLO_LIMIT` beyond a limit, `TRISIGNAL_SLO_PARSE` on bad syntax.
 */
export function parseSpecText(text: string, options: LoadOptions = {}): unknown {
  const maxBytes = positiveInteger('maxBytes', options.maxBytes ?? LOAD_DEFAULTS.maxBytes);
  const maxAliases = positiveInteger('maxAliases', options.maxAliases ?? LOAD_DEFAULTS.maxAliases);
  const maxDepth = positiveInteger('maxDepth', options.maxDepth ?? LOAD_DEFAULTS.maxDepth);
  const format = options.format ?? LOAD_DEFAULTS.format;
  if (typeof text !== 'string') throw invalidOption('text', text, 'a string');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    throw new SloError(
      'TRISIGNAL_SLO_LIMIT',
      `Expected the spec to be at most ${maxBytes} bytes, got ${bytes} bytes`,
    );
  }
  const json = format === 'json' || (format === 'auto' && /^\s*[[{]/.test(text));
  let data: unknown;
  if (json) {
    try {
      data = JSON.parse(text) as unknown;
    } catch (error) {
      throw new SloError(
        'TRISIGNAL_SLO_PARSE',
        `Expected valid JSON, got a syntax error: ${(error as Error).message}`,
        { cause: error },
      );
    }
  } else {
    const docs = parseAllDocuments(text, {
      schema: 'core',
      merge: false,
      uniqueKeys: true,
      customTags: [],
      prettyErrors: true,
      strict: true,
    });
    const list = Array.isArray(docs) ? docs : [docs];
    const values: unknown[] = [];
    for (const doc of list) {
      const problem = doc.errors[0] ?? doc.warnings[0];
      if (problem !== undefined) {
        throw new SloError(
          'TRISIGNAL_SLO_PARSE',
          `Expected valid YAML, got: ${problem.message.split('\n')[0]}`,
          { cause: problem },
        );
      }
      try {
        values.push(doc.toJS({ maxAliasCount: maxAliases }));
      } catch (error) {
        const message = (error as Error).message;
        if (/alias/i.test(message)) {
          throw new SloError(
            'TRISIGNAL_SLO_LIMIT',
            `Expected at most ${maxAliases} YAML alias expansions, got more (${message})`,
            { cause: error },
          );
        }
        throw new SloError('TRISIGNAL_SLO_PARSE', `Expected valid YAML, got: ${message}`, { cause: error });
      }
    }
    data = values.length === 1 ? values[0] : values;
  }
  return sanitize(data, '', 0, maxDepth);
}

/** Which dialect a parsed document is in. */
export function detectDialect(data: unknown): 'trisignal' | 'sloth' | 'openslo' | undefined {
  const first: unknown = Array.isArray(data) ? (data as unknown[])[0] : data;
  if (typeof first !== 'object' || first === null) return undefined;
  const doc = first as Record<string, unknown>;
  if (doc['version'] === 'prometheus/v1') return 'sloth';
  if (typeof doc['apiVersion'] === 'string' && doc['apiVersion'].startsWith('openslo/')) return 'openslo';
  if (!Array.isArray(data) && ('classes' in doc || 'service' in doc)) return 'trisignal';
  return undefined;
}

/** Converts parsed data of any supported dialect to a trisignal spec input, with import warnings. */
export function toSpecInput(data: unknown, from: LoadOptions['from'] = 'auto'): ImportResult {
  const dialect = from === 'auto' || from === undefined ? detectDialect(data) : from;
  switch (dialect) {
    case 'trisignal':
      return { spec: data as SloSpecInput, warnings: [] };
    case 'sloth':
      return importSloth(data);
    case 'openslo':
      return importOpenSlo(data);
    default:
      throw new SloError(
        'TRISIGNAL_SLO_UNSUPPORTED_FORMAT',
        'Expected a trisignal/v1 spec (with `service` and `classes`), a Sloth `version: prometheus/v1` spec or OpenSLO `apiVersion: openslo/v1` documents, got none of them',
      );
  }
}

/** Parses, imports and validates spec text in one step. */
export function loadSlo(
  text: string,
  options: LoadOptions = {},
): { spec: SloSpec; warnings: readonly string[] } {
  const { spec, warnings } = toSpecInput(parseSpecText(text, options), options.from);
  return { spec: defineSlo(spec), warnings };
}

/** Reads and loads a spec file (`.yaml`, `.yml` or `.json`). */
export async function loadSloFile(
  path: string,
  options: LoadOptions = {},
): Promise<{ spec: SloSpec; warnings: readonly string[] }> {
  const maxBytes = options.maxBytes ?? LOAD_DEFAULTS.maxBytes;
  const { size } = await stat(path);
  // Refuse before reading: a huge file must not be loaded into memory first.
  if (size > maxBytes)
    throw new SloError(
      'TRISIGNAL_SLO_LIMIT',
      `Expected the spec to be at most ${maxBytes} bytes, got ${size} bytes`,
    );
  const text = await readFile(path, 'utf8');
  const format = options.format ?? (path.endsWith('.json') ? 'json' : 'auto');
  return loadSlo(text, { ...options, format });
}
