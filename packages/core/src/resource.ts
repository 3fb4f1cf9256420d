import { randomUUID } from 'node:crypto';
import { arch, hostname, type as osType } from 'node:os';
import { basename } from 'node:path';
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';

/** What goes into the shared Resource. */
export interface ResourceInput {
  readonly serviceName: string | undefined;
  readonly serviceVersion: string | undefined;
  readonly environment: string | undefined;
  readonly envAttributes: Readonly<Record<string, string>> | undefined;
  readonly attributes: Attributes | undefined;
}

const HOST_ARCH: Readonly<Record<string, string>> = {
  arm: 'arm32',
  arm64: 'arm64',
  ia32: 'x86',
  ppc: 'ppc32',
  ppc64: 'ppc64',
  s390x: 's390x',
  x64: 'amd64',
};

/**
 * Process and host attributes, per the semantic conventions. Command-line arguments are left out on
 * purpose: they often carry secrets.
 */
export function detectProcessAndHost(): Attributes {
  const attributes: Record<string, AttributeValue> = {
    'process.pid': process.pid,
    'process.executable.name': basename(process.execPath),
    'process.executable.path': process.execPath,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'process.runtime.description': 'Node.js',
    'host.arch': HOST_ARCH[arch()] ?? arch(),
    'os.type': osType().toLowerCase(),
  };
  try {
    attributes['host.name'] = hostname();
  } catch {
    // hostname() can fail in exotic sandboxes; the resource is still useful without it.
  }
  return attributes;
}

/**
 * Builds the one Resource the three providers share. Precedence, lowest first: SDK defaults, process and
 * host, `OTEL_RESOURCE_ATTRIBUTES`, then the resolved service name / version / environment, then
 * `attributes` from options (except `service.name`, which the resolved name always wins).
 */
export function buildResource(input: ResourceInput): Resource {
  const envAttributes = input.envAttributes ?? {};
  const own: Record<string, AttributeValue> = {};
  // A service instance id from the environment wins over a generated one.
  if (envAttributes['service.instance.id'] === undefined) own['service.instance.id'] = randomUUID();
  if (input.serviceVersion !== undefined) own['service.version'] = input.serviceVersion;
  if (input.environment !== undefined) own['deployment.environment.name'] = input.environment;
  const last: Record<string, AttributeValue> = {};
  if (input.serviceName !== undefined) last['service.name'] = input.serviceName;
  return defaultResource()
    .merge(resourceFromAttributes(detectProcessAndHost()))
    .merge(resourceFromAttributes(envAttributes))
    .merge(resourceFromAttributes(own))
    .merge(resourceFromAttributes(input.attributes ?? {}))
    .merge(resourceFromAttributes(last));
}
