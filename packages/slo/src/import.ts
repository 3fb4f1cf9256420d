/**
 * Imports from Sloth `prometheus/v1` and OpenSLO `openslo/v1`, where they fit the trisignal model.
 * Sloth SLOs and OpenSLO SLO documents become classes; objectives map to availability (ratio SLIs) and
 * latency (threshold SLIs, `op: lte`); what has no equivalent (free-form queries, calendar windows,
 * time-slice budgeting) is dropped with a warning. Matchers are never in either format: add `match`.
 */
import { SloError } from './errors.js';
import { parseDuration } from './duration.js';
import type { SloClassInput, SloSpecInput } from './spec.js';

/** A converted spec and what could not be carried over. */
export interface ImportResult {
  readonly spec: SloSpecInput;
  readonly warnings: readonly string[];
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

function className(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z]+/, '');
  return (cleaned || 'class').slice(0, 63);
}

function stringMap(value: unknown): Record<string, string> | undefined {
  const o = obj(value);
  if (o === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k] = v;
  return out;
}

function unsupported(message: string): SloError {
  return new SloError('TRISIGNAL_SLO_UNSUPPORTED_FORMAT', message);
}

/** Converts a Sloth `prometheus/v1` spec: each SLO becomes a class with its objective as availability. */
export function importSloth(data: unknown): ImportResult {
  const doc = obj(data);
  if (doc === undefined || doc['version'] !== 'prometheus/v1') {
    throw unsupported('Expected a Sloth spec with `version: prometheus/v1`, got something else');
  }
  const warnings: string[] = [];
  const slos = Array.isArray(doc['slos']) ? (doc['slos'] as unknown[]) : [];
  if (slos.length === 0)
    throw unsupported('Expected a Sloth spec with at least one entry in `slos`, got none');
  const classes: SloClassInput[] = [];
  let page: Obj | undefined;
  let ticket: Obj | undefined;
  slos.forEach((raw, i) => {
    const slo = obj(raw) ?? {};
    const name = typeof slo['name'] === 'string' ? slo['name'] : `slo-${i}`;
    const cls = className(name);
    if (cls !== name) warnings.push(`slos[${i}].name "${name}" became class "${cls}"`);
    const sli = obj(slo['sli']);
    if (sli !== undefined) {
      warnings.push(
        `slos[${i}].sli (${Object.keys(sli).join(', ')}) dropped: trisignal computes availability from the HTTP/gRPC server duration metrics of class "${cls}"`,
      );
    }
    warnings.push(`class "${cls}" has no \`match\` rules: add them so requests are classified`);
    const entry: { name: string; availability: number; description?: string } = {
      name: cls,
      availability: slo['objective'] as number,
    };
    if (typeof slo['description'] === 'string') entry.description = slo['description'];
    classes.push(entry);
    const alerting = obj(slo['alerting']);
    if (alerting !== undefined) {
      const p = obj(alerting['page_alert']);
      const t = obj(alerting['ticket_alert']);
      if (p !== undefined && page === undefined) page = p;
      if (t !== undefined && ticket === undefined) ticket = t;
      if (alerting['annotations'] !== undefined)
        warnings.push(`slos[${i}].alerting.annotations dropped (set alerting.page/ticket.annotations)`);
    }
  });
  const severity = (
    s: Obj | undefined,
    which: string,
  ): { disable?: boolean; labels?: Record<string, string> } | undefined => {
    if (s === undefined) return undefined;
    const out: { disable?: boolean; labels?: Record<string, string> } = {};
    if (typeof s['disable'] === 'boolean') out.disable = s['disable'];
    const labels = stringMap(s['labels']);
    if (labels !== undefined) {
      if ('severity' in labels) {
        warnings.push(
          `${which}_alert.labels.severity "${labels['severity']}" dropped: trisignal sets severity to page or ticket`,
        );
        delete labels['severity'];
      }
      out.labels = labels;
    }
    return out;
  };
  const names = classes.map((c) => c.name);
  const spec: { -readonly [K in keyof SloSpecInput]: SloSpecInput[K] } = {
    service: doc['service'] as string,
    classes,
    defaultClass: names.includes('silver') ? 'silver' : names[0]!,
  };
  const labels = stringMap(doc['labels']);
  if (labels !== undefined) spec.labels = labels;
  const pageIn = severity(page, 'page');
  const ticketIn = severity(ticket, 'ticket');
  if (pageIn !== undefined || ticketIn !== undefined) {
    spec.alerting = {
      ...(pageIn === undefined ? {} : { page: pageIn }),
      ...(ticketIn === undefined ? {} : { ticket: ticketIn }),
    };
  }
  if (!names.includes('silver'))
    warnings.push(`defaultClass set to "${names[0]!}" (unclassified requests count against it)`);
  return { spec, warnings };
}

/** Converts OpenSLO v1 documents: `SLO` documents become classes (or join one via the `trisignal.dev/class` label). */
export function importOpenSlo(data: unknown): ImportResult {
  const docs = (Array.isArray(data) ? data : [data]).map(obj).filter((d): d is Obj => d !== undefined);
  const warnings: string[] = [];
  const slis = new Map<string, Obj>();
  for (const d of docs) {
    if (d['kind'] === 'SLI') {
      const name = obj(d['metadata'])?.['name'];
      if (typeof name === 'string') slis.set(name, obj(d['spec']) ?? {});
    }
  }
  const sloDocs = docs.filter((d) => d['kind'] === 'SLO');
  if (sloDocs.length === 0)
    throw unsupported('Expected OpenSLO documents with at least one `kind: SLO`, got none');
  let service: string | undefined;
  let period: '28d' | '30d' | undefined;
  const classes = new Map<
    string,
    {
      name: string;
      availability?: number;
      latency: { quantile: number; thresholdSeconds: number }[];
      description?: string;
    }
  >();
  sloDocs.forEach((d, i) => {
    const meta = obj(d['metadata']) ?? {};
    const spec = obj(d['spec']) ?? {};
    const sloName = typeof meta['name'] === 'string' ? meta['name'] : `slo-${i}`;
    const labels = obj(meta['labels']) ?? {};
    const classLabel = labels['trisignal.dev/class'];
    const cls = className(typeof classLabel === 'string' ? classLabel : sloName);
    if (typeof spec['service'] === 'string') {
      if (service !== undefined && service !== spec['service']) {
        throw unsupported(
          `Expected every OpenSLO SLO to belong to one service, got "${service}" and "${spec['service']}"`,
        );
      }
      service = spec['service'];
    }
    const windows = Array.isArray(spec['timeWindow']) ? (spec['timeWindow'] as unknown[]).map(obj) : [];
    const window = windows[0];
    if (window !== undefined) {
      const seconds = parseDuration(window['duration']);
      if (window['isRolling'] === false || window['calendar'] !== undefined)
        warnings.push(`SLO "${sloName}": calendar window replaced by a rolling one`);
      if (seconds === 28 * 86_400 || seconds === 30 * 86_400)
        period = seconds === 28 * 86_400 ? '28d' : '30d';
      else
        warnings.push(
          `SLO "${sloName}": timeWindow ${String(window['duration'])} is not 28d or 30d; using 30d`,
        );
    }
    if (spec['budgetingMethod'] !== undefined && spec['budgetingMethod'] !== 'Occurrences') {
      warnings.push(
        `SLO "${sloName}": budgetingMethod ${JSON.stringify(spec['budgetingMethod'])} approximated by Occurrences`,
      );
    }
    let entry = classes.get(cls);
    if (entry === undefined) {
      entry = { name: cls, latency: [] };
      classes.set(cls, entry);
    }
    if (typeof spec['description'] === 'string' && entry.description === undefined)
      entry.description = spec['description'];
    const sloIndicator = indicatorOf(spec, slis);
    const objectives = Array.isArray(spec['objectives']) ? (spec['objectives'] as unknown[]).map(obj) : [];
    objectives.forEach((o, j) => {
      if (o === undefined) return;
      const indicator = indicatorOf(o, slis) ?? sloIndicator;
      const target =
        typeof o['target'] === 'number'
          ? o['target']
          : typeof o['targetPercent'] === 'number'
            ? o['targetPercent'] / 100
            : undefined;
      const at = `SLO "${sloName}" objectives[${j}]`;
      if (target === undefined) {
        warnings.push(`${at}: no target, skipped`);
        return;
      }
      if (indicator !== undefined && indicator['thresholdMetric'] !== undefined) {
        if (o['op'] !== 'lte' && o['op'] !== 'lt') {
          warnings.push(
            `${at}: threshold objective with op ${String(o['op'])} skipped (only lte/lt map to a latency objective)`,
          );
          return;
        }
        const value = typeof o['value'] === 'number' ? o['value'] : Number(o['value']);
        entry.latency.push({ quantile: target, thresholdSeconds: value });
        warnings.push(`${at}: threshold ${String(o['value'])} read as seconds`);
      } else {
        if (indicator === undefined || indicator['ratioMetric'] === undefined) {
          warnings.push(`${at}: indicator is not a ratioMetric; read as availability`);
        }
        if (entry.availability !== undefined)
          warnings.push(`${at}: second availability objective for class "${cls}" ignored`);
        else entry.availability = Number((target * 100).toPrecision(12));
      }
    });
  });
  if (service === undefined)
    throw unsupported('Expected OpenSLO SLO documents with `spec.service`, got none');
  const out: SloClassInput[] = [];
  for (const c of classes.values()) {
    if (c.availability === undefined) {
      throw unsupported(
        `Expected class "${c.name}" to get an availability (ratio) objective from OpenSLO, got only latency objectives`,
      );
    }
    warnings.push(`class "${c.name}" has no \`match\` rules: add them so requests are classified`);
    out.push({
      name: c.name,
      availability: c.availability,
      latency: c.latency,
      ...(c.description === undefined ? {} : { description: c.description }),
    });
  }
  const names = out.map((c) => c.name);
  if (!names.includes('silver'))
    warnings.push(`defaultClass set to "${names[0]!}" (unclassified requests count against it)`);
  return {
    spec: {
      service,
      ...(period === undefined ? {} : { period }),
      classes: out,
      defaultClass: names.includes('silver') ? 'silver' : names[0]!,
    },
    warnings,
  };
}

function indicatorOf(holder: Obj, slis: ReadonlyMap<string, Obj>): Obj | undefined {
  const inline = obj(holder['indicator']);
  if (inline !== undefined) return obj(inline['spec']) ?? inline;
  const ref = holder['indicatorRef'];
  return typeof ref === 'string' ? slis.get(ref) : undefined;
}
