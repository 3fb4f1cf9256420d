import { diag, SpanStatusCode } from '@opentelemetry/api';
import * as crypto from 'node:crypto';
import { invalidOption } from './errors.js';

/**
 * What kind of failure an error is, from the point of view of whoever has to react to it:
 * `client` (the caller's fault, do not retry), `server` (our or our dependency's bug, do not retry),
 * `transient` (try again), `timeout` (ran out of time, try again), `cancelled` (someone gave up on
 * purpose) and `unknown` (nothing recognisable).
 */
export type ErrorCategory = 'client' | 'server' | 'transient' | 'timeout' | 'cancelled' | 'unknown';

/** The deepest error of a `cause` chain (for an `AggregateError`, of the member that decided). */
export interface ErrorRootCause {
  /** `name` of the error (or its constructor's name); `typeof` for thrown primitives (`'string'`). */
  readonly name: string;
  /** Its `code` as a string (`'ECONNREFUSED'`, `'14'` for gRPC), `undefined` when it has none. */
  readonly code: string | undefined;
  /** Its message, at most 1024 characters. */
  readonly message: string;
}

/** The verdict of {@link classifyError}. */
export interface ErrorClassification {
  readonly category: ErrorCategory;
  /**
   * `SpanStatusCode.ERROR` for every error, including `undefined` and `null` (a rejection without a
   * reason is still a failure). `SpanStatusCode.UNSET` only when the input says it is not an error:
   * an object with an HTTP status below 400 (such as a fetch `Response`) or gRPC code 0 (`OK`).
   */
  readonly status: SpanStatusCode;
  /** Best HTTP status to answer with: 400, 404, 499 (cancelled), 500, 503, 504… */
  readonly httpStatus: number;
  /** Best gRPC status code to answer with (0–16). */
  readonly grpcCode: number;
  /** Whether trying the same operation again may succeed (it does not know if the operation is idempotent). */
  readonly retryable: boolean;
  /** Value for the `error.type` attribute: a known code, an HTTP status, a gRPC code name, a class name, or `_OTHER`. */
  readonly errorType: string;
  readonly rootCause: ErrorRootCause;
  /** 16 hex characters hashing the root cause's name, code and message with ids, numbers, paths and quoted text removed. */
  readonly fingerprint: string;
}

/** The fields a rule may set; `rootCause` and `fingerprint` always come from the error itself. */
export type ErrorRulePatch = Partial<Omit<ErrorClassification, 'rootCause' | 'fingerprint'>>;

/**
 * A user classification rule: gets the error and its root cause, returns the fields to override or
 * `undefined` to pass. Rules are tried in order and the first that returns a patch wins; its fields
 * override the built-in verdict. A patch that changes `category` also resets `httpStatus`, `grpcCode`,
 * `retryable` and `status` to that category's defaults unless it sets them too. A rule that throws is
 * skipped (and reported once through `diag.warn`).
 */
export type ErrorRule = (err: unknown, root: unknown) => ErrorRulePatch | undefined;

/** Options of {@link createErrorClassifier} and {@link classifyError}. */
export interface ErrorClassifierOptions {
  /** Rules tried before the built-in knowledge; the first to return a patch wins. @default [] */
  readonly rules?: readonly ErrorRule[] | undefined;
}

/** Links followed along one `cause` chain; deeper causes are ignored. */
const MAX_CAUSE_DEPTH = 16;
/** Members of one `AggregateError` looked at. */
const MAX_AGGREGATE_MEMBERS = 16;
/** Links examined in total, across causes and aggregate members, so a hostile graph costs bounded work. */
const MAX_VISITS = 128;
const MAX_MESSAGE_LENGTH = 1024;
const MAX_NAME_LENGTH = 128;
const MAX_TYPE_LENGTH = 64;
const OTHER_ERROR_TYPE = '_OTHER';

/** Names of gRPC status codes, indexed by code. */
const GRPC_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** Category of each gRPC code (index = code; 0 is not an error). */
const GRPC_CATEGORIES: readonly ErrorCategory[] = [
  'unknown', // 0 OK (not an error)
  'cancelled', // 1
  'server', // 2 UNKNOWN
  'client', // 3
  'timeout', // 4
  'client', // 5
  'client', // 6
  'client', // 7
  'transient', // 8 RESOURCE_EXHAUSTED: quota or load, back off and retry
  'client', // 9
  'transient', // 10 ABORTED: concurrency conflict, retry at a higher level
  'client', // 11
  'server', // 12 UNIMPLEMENTED
  'server', // 13
  'transient', // 14
  'server', // 15
  'client', // 16
];

/** gRPC code → HTTP status, as in google.rpc.Code and grpc-gateway. */
const GRPC_TO_HTTP = [
  200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401,
] as const;

/** HTTP status → gRPC code where a specific code fits; other 4xx → INVALID_ARGUMENT, other 5xx → INTERNAL. */
const HTTP_TO_GRPC: Readonly<Record<number, number>> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  405: 12,
  408: 4,
  409: 6,
  412: 9,
  416: 11,
  429: 8,
  499: 1,
  500: 13,
  501: 12,
  502: 14,
  503: 14,
  504: 4,
};

interface Defaults {
  readonly httpStatus: number;
  readonly grpcCode: number;
  readonly retryable: boolean;
}

const CATEGORY_DEFAULTS: Readonly<Record<ErrorCategory, Defaults>> = {
  client: { httpStatus: 400, grpcCode: 3, retryable: false },
  server: { httpStatus: 500, grpcCode: 13, retryable: false },
  transient: { httpStatus: 503, grpcCode: 14, retryable: true },
  timeout: { httpStatus: 504, grpcCode: 4, retryable: true },
  cancelled: { httpStatus: 499, grpcCode: 1, retryable: false },
  unknown: { httpStatus: 500, grpcCode: 2, retryable: false },
};

/**
 * Which member of an `AggregateError` decides: the least recoverable one. Retrying an aggregate only
 * helps if every member was retryable, and a cancellation is usually the consequence of a sibling
 * failing, so it ranks last.
 */
const SEVERITY: Readonly<Record<ErrorCategory, number>> = {
  server: 5,
  unknown: 4,
  client: 3,
  timeout: 2,
  transient: 1,
  cancelled: 0,
};

type CodeEntry = readonly [category: ErrorCategory, httpStatus: number, grpcCode: number];

/**
 * Known error codes: Node system errors (libuv), Node internal codes, undici (fetch) and a few widely
 * used client libraries. Anything here is a strong signal.
 */
const KNOWN_CODES: ReadonlyMap<string, CodeEntry> = new Map<string, CodeEntry>(
  Object.entries({
    // The peer is (or was) there but refused, dropped or cut us off: the next attempt may work.
    ECONNREFUSED: ['transient', 503, 14],
    ECONNRESET: ['transient', 502, 14],
    EPIPE: ['transient', 502, 14],
    ECONNABORTED: ['transient', 502, 14],
    ENETRESET: ['transient', 502, 14],
    EHOSTUNREACH: ['transient', 503, 14],
    EHOSTDOWN: ['transient', 503, 14],
    ENETUNREACH: ['transient', 503, 14],
    ENETDOWN: ['transient', 503, 14],
    EAI_AGAIN: ['transient', 503, 14],
    EADDRNOTAVAIL: ['transient', 503, 14],
    EBUSY: ['transient', 503, 14],
    EAGAIN: ['transient', 503, 14],
    // Local resources exhausted: they come back as other work finishes.
    EMFILE: ['transient', 503, 8],
    ENFILE: ['transient', 503, 8],
    ENOBUFS: ['transient', 503, 8],
    // A name that does not resolve is a configuration problem (EAI_AGAIN is the temporary one); gRPC
    // itself reports resolution failures as UNAVAILABLE.
    ENOTFOUND: ['server', 502, 14],
    ETIMEDOUT: ['timeout', 504, 4],
    ESOCKETTIMEDOUT: ['timeout', 504, 4],
    ERR_SOCKET_CONNECTION_TIMEOUT: ['timeout', 504, 4],
    ERR_HTTP_REQUEST_TIMEOUT: ['timeout', 408, 4],
    UND_ERR_CONNECT_TIMEOUT: ['timeout', 504, 4],
    UND_ERR_HEADERS_TIMEOUT: ['timeout', 504, 4],
    UND_ERR_BODY_TIMEOUT: ['timeout', 504, 4],
    UND_ERR_SOCKET: ['transient', 502, 14],
    UND_ERR_ABORTED: ['cancelled', 499, 1],
    UND_ERR_CLOSED: ['server', 500, 13],
    UND_ERR_DESTROYED: ['server', 500, 13],
    UND_ERR_RES_CONTENT_LENGTH_MISMATCH: ['server', 502, 13],
    UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE: ['server', 502, 13],
    UND_ERR_HEADERS_OVERFLOW: ['server', 502, 13],
    ABORT_ERR: ['cancelled', 499, 1],
    ECANCELED: ['cancelled', 499, 1],
    ERR_HTTP2_STREAM_CANCEL: ['cancelled', 499, 1],
    // Node raises it mostly when the other end of a piped request or response goes away before the end:
    // on a server that is the client hanging up (nginx's 499), not a fault of ours.
    ERR_STREAM_PREMATURE_CLOSE: ['cancelled', 499, 1],
    // axios
    ERR_CANCELED: ['cancelled', 499, 1],
    ERR_NETWORK: ['transient', 502, 14],
    // Files: a missing or unreadable file on this host is our problem, so these are server errors, not
    // 404/403: a static file server that wants 404 maps ENOENT itself or adds a rule.
    ENOENT: ['server', 500, 13],
    EACCES: ['server', 500, 13],
    EPERM: ['server', 500, 13],
    EISDIR: ['server', 500, 13],
    ENOTDIR: ['server', 500, 13],
    EEXIST: ['server', 500, 13],
    EROFS: ['server', 500, 13],
    EBADF: ['server', 500, 13],
    EADDRINUSE: ['server', 500, 13],
    ENOSPC: ['server', 507, 8],
    EDQUOT: ['server', 507, 8],
    ENOMEM: ['server', 500, 8],
    // TLS with an upstream: retrying does not fix a certificate.
    EPROTO: ['server', 502, 13],
    CERT_HAS_EXPIRED: ['server', 502, 13],
    DEPTH_ZERO_SELF_SIGNED_CERT: ['server', 502, 13],
    SELF_SIGNED_CERT_IN_CHAIN: ['server', 502, 13],
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['server', 502, 13],
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['server', 502, 13],
    ERR_TLS_CERT_ALTNAME_INVALID: ['server', 502, 13],
  } satisfies Record<string, CodeEntry>),
);

/** Built-in JavaScript errors: a bug in the code that threw them. The weakest signal. */
const BUILTIN_ERROR_NAMES = new Set([
  'TypeError',
  'ReferenceError',
  'RangeError',
  'SyntaxError',
  'EvalError',
  'URIError',
]);

/** A code shaped like a constant (`ECONNREFUSED`, `ERR_X`, `TRISIGNAL_CORE_TIMEOUT`): low cardinality. */
const CONSTANT_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
/** A name shaped like an identifier (`TypeError`, `Foo.BarError`): low cardinality. */
const IDENTIFIER = /^[A-Za-z_$][\w$.]{0,63}$/;

interface Verdict {
  readonly category: ErrorCategory;
  readonly status: SpanStatusCode;
  readonly httpStatus: number;
  readonly grpcCode: number;
  readonly retryable: boolean;
  readonly errorType: string;
}

/** How much a signal can be trusted; the strongest wins, and the deepest among equals. */
const STRONG = 3;
const MEDIUM = 2;
const WEAK = 1;
/** No signal: the `unknown` fallback of an aggregate member, beaten by any real signal. */
const NONE = 0;

interface Signal {
  readonly verdict: Verdict;
  readonly strength: number;
}

interface Resolution {
  readonly signal: Signal | undefined;
  readonly root: unknown;
}

interface WalkState {
  visits: number;
}

/**
 * Maps an HTTP status to the gRPC code that means the same (google.rpc.Code); 2 (`UNKNOWN`) for
 * anything that is not an HTTP status.
 */
export function httpStatusToGrpcCode(httpStatus: number): number {
  if (!Number.isInteger(httpStatus) || httpStatus < 100 || httpStatus > 599) return 2;
  if (httpStatus < 400) return 0;
  const specific = HTTP_TO_GRPC[httpStatus];
  if (specific !== undefined) return specific;
  return httpStatus < 500 ? 3 : 13;
}

/** Maps a gRPC status code to the HTTP status that means the same (google.rpc.Code); 500 for unknown codes. */
export function grpcCodeToHttpStatus(grpcCode: number): number {
  return Number.isInteger(grpcCode) ? (GRPC_TO_HTTP[grpcCode] ?? 500) : 500;
}

/**
 * Classifies anything that was thrown or rejected: follows `cause` chains and `AggregateError` members,
 * recognises Node system errors, undici codes, `AbortError`/`TimeoutError`, HTTP statuses and gRPC
 * codes. Never throws for any `err`; throws `TRISIGNAL_CORE_INVALID_OPTION` only for invalid `rules`.
 * @example
 * try { await fetch(url) } catch (err) {
 *   const c = classifyError(err); // { category: 'transient', errorType: 'ECONNREFUSED', retryable: true, … }
 * }
 */
export function classifyError(err: unknown, options?: ErrorClassifierOptions): ErrorClassification {
  const rules = options?.rules;
  if (rules === undefined || (Array.isArray(rules) && rules.length === 0)) return DEFAULT_CLASSIFIER(err);
  return createErrorClassifier(options)(err);
}

/**
 * Returns a classifier with user rules baked in. Throws `TRISIGNAL_CORE_INVALID_OPTION` when `rules`
 * is not an array of functions; the classifier itself never throws.
 */
export function createErrorClassifier(
  options: ErrorClassifierOptions = {},
): (err: unknown) => ErrorClassification {
  const rules = options.rules ?? [];
  if (!Array.isArray(rules) || !rules.every((rule) => typeof rule === 'function')) {
    throw invalidOption('rules', rules, 'an array of functions');
  }
  const frozenRules: readonly ErrorRule[] = [...(rules as readonly ErrorRule[])];
  let warned = false;
  const onRuleError = (error: unknown): void => {
    if (warned) return;
    warned = true;
    diag.warn('trisignal: an error classification rule threw; it is skipped for that error', error);
  };
  return (err) => classifyWith(err, frozenRules, onRuleError);
}

const DEFAULT_CLASSIFIER = createErrorClassifier();

function classifyWith(
  err: unknown,
  rules: readonly ErrorRule[],
  onRuleError: (e: unknown) => void,
): ErrorClassification {
  try {
    const resolution = resolve(err, { visits: 0 }, []);
    let verdict = resolution.signal?.verdict ?? fallbackVerdict(err);
    for (const rule of rules) {
      let patch: ErrorRulePatch | undefined;
      try {
        patch = rule(err, resolution.root);
      } catch (ruleError) {
        onRuleError(ruleError);
        continue;
      }
      if (patch !== undefined && patch !== null && typeof patch === 'object') {
        verdict = applyPatch(verdict, patch);
        break;
      }
    }
    return classification(verdict, describeThrown(resolution.root));
  } catch {
    // Only reachable through something truly hostile (a Proxy whose traps throw where we did not
    // guard): the hot path still gets an answer.
    return classification(categoryVerdict('unknown', OTHER_ERROR_TYPE), {
      name: 'unknown',
      code: undefined,
      message: '',
    });
  }
}

function classification(verdict: Verdict, rootCause: ErrorRootCause): ErrorClassification {
  // Spelled out: `{ ...verdict, rootCause }` takes a slow path in V8 that costs microseconds.
  return {
    category: verdict.category,
    status: verdict.status,
    httpStatus: verdict.httpStatus,
    grpcCode: verdict.grpcCode,
    retryable: verdict.retryable,
    errorType: verdict.errorType,
    rootCause,
    fingerprint: fingerprintOf(rootCause),
  };
}

/**
 * Walks `value` and its causes. Every link may carry a signal; the strongest wins and, among equally
 * strong ones, the deepest, because a cause explains its wrapper (an `AbortError` caused by a
 * `TimeoutError` is a timeout; `fetch failed` caused by ECONNREFUSED is ECONNREFUSED). An
 * `AggregateError` hands over to its most severe member and the walk continues inside that member
 * (the aggregate's own `cause`, if any, is not followed).
 */
function resolve(value: unknown, state: WalkState, ancestors: readonly unknown[]): Resolution {
  const path = [...ancestors];
  let best: Signal | undefined;
  let current = value;
  for (let depth = 0; ; depth++) {
    state.visits++;
    const signal = signalOf(current);
    if (signal !== undefined && (best === undefined || signal.strength >= best.strength)) best = signal;
    if (!isObjectLike(current)) return { signal: best, root: current };
    path.push(current);

    const members = aggregateMembers(current);
    if (members !== undefined) {
      let chosen: Resolution | undefined;
      let chosenSignal: Signal | undefined;
      for (const member of members) {
        if (state.visits >= MAX_VISITS) break;
        if (path.includes(member)) continue;
        const memberResolution = resolve(member, state, path);
        // A member without any signal still competes (and types the verdict) as `unknown`.
        const memberSignal = memberResolution.signal ?? { verdict: fallbackVerdict(member), strength: NONE };
        if (chosenSignal === undefined || rankOf(memberSignal.verdict) > rankOf(chosenSignal.verdict)) {
          chosen = memberResolution;
          chosenSignal = memberSignal;
        }
      }
      if (chosen !== undefined && chosenSignal !== undefined) {
        if (best === undefined || chosenSignal.strength >= best.strength) best = chosenSignal;
        return { signal: best, root: chosen.root };
      }
    }

    if (depth + 1 >= MAX_CAUSE_DEPTH || state.visits >= MAX_VISITS) return { signal: best, root: current };
    const cause = readErrorProperty(current, 'cause');
    // Primitive causes (`abort('shutting down')`) explain less than the error that carries them.
    if (!isObjectLike(cause) || path.includes(cause)) return { signal: best, root: current };
    current = cause;
  }
}

function rankOf(verdict: Verdict): number {
  return verdict.status === SpanStatusCode.ERROR ? SEVERITY[verdict.category] : -1;
}

function aggregateMembers(value: object): readonly unknown[] | undefined {
  const errors = readErrorProperty(value, 'errors');
  try {
    if (!Array.isArray(errors) || errors.length === 0) return undefined;
    return errors.slice(0, MAX_AGGREGATE_MEMBERS) as unknown[];
  } catch {
    return undefined;
  }
}

/** The signal one link carries by itself, strongest kind first. */
function signalOf(value: unknown): Signal | undefined {
  if (!isObjectLike(value)) return undefined;
  const name = readErrorProperty(value, 'name');
  if (name === 'AbortError') return { verdict: categoryVerdict('cancelled', 'AbortError'), strength: STRONG };
  if (name === 'TimeoutError')
    return { verdict: categoryVerdict('timeout', 'TimeoutError'), strength: STRONG };

  const code = readErrorProperty(value, 'code');
  if (typeof code === 'string') {
    // A Map, so codes such as `constructor` or `__proto__` cannot reach Object.prototype.
    const entry = KNOWN_CODES.get(code);
    if (entry !== undefined) return { verdict: codeVerdict(entry, code), strength: STRONG };
  }

  // A gRPC ServiceError has a numeric code plus `details` or `metadata`; a bare numeric `code` (MongoDB,
  // DOMException legacy codes) is not enough.
  if (typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 16) {
    const details = readErrorProperty(value, 'details');
    const metadata = readErrorProperty(value, 'metadata');
    if (typeof details === 'string' || (typeof metadata === 'object' && metadata !== null)) {
      return { verdict: grpcVerdict(code), strength: STRONG };
    }
  }

  const httpStatus = httpStatusOf(value);
  if (httpStatus !== undefined) return { verdict: httpVerdict(httpStatus), strength: STRONG };

  if (typeof code === 'string' && CONSTANT_CODE.test(code)) {
    if (code.startsWith('ERR_TLS_'))
      return { verdict: codeVerdict(['server', 502, 13], code), strength: MEDIUM };
    // Other Node internal and undici codes (ERR_INVALID_ARG_TYPE, ERR_HTTP_HEADERS_SENT…) mean misuse.
    if (code.startsWith('ERR_') || code.startsWith('UND_ERR_')) {
      return { verdict: codeVerdict(['server', 500, 13], code), strength: MEDIUM };
    }
  }
  if (name === 'TypeError' && readErrorProperty(value, 'message') === 'fetch failed') {
    // undici's network error whose cause was not recognised: still a network failure, not a bug.
    return { verdict: categoryVerdict('transient', 'TypeError', 502), strength: MEDIUM };
  }
  if (typeof name === 'string' && BUILTIN_ERROR_NAMES.has(name)) {
    return { verdict: categoryVerdict('server', name), strength: WEAK };
  }
  return undefined;
}

/** `status`, `statusCode`, `response.status` or `response.statusCode` (http-errors, fetch, axios, got). */
function httpStatusOf(value: object): number | undefined {
  const direct =
    validHttpStatus(readErrorProperty(value, 'status')) ??
    validHttpStatus(readErrorProperty(value, 'statusCode'));
  if (direct !== undefined) return direct;
  const response = readErrorProperty(value, 'response');
  if (!isObjectLike(response)) return undefined;
  return (
    validHttpStatus(readErrorProperty(response, 'status')) ??
    validHttpStatus(readErrorProperty(response, 'statusCode'))
  );
}

function validHttpStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599
    ? value
    : undefined;
}

function categoryVerdict(category: ErrorCategory, errorType: string, httpStatus?: number): Verdict {
  const defaults = CATEGORY_DEFAULTS[category];
  return {
    category,
    status: SpanStatusCode.ERROR,
    httpStatus: httpStatus ?? defaults.httpStatus,
    grpcCode: defaults.grpcCode,
    retryable: defaults.retryable,
    errorType,
  };
}

function codeVerdict([category, httpStatus, grpcCode]: CodeEntry, code: string): Verdict {
  return {
    category,
    status: SpanStatusCode.ERROR,
    httpStatus,
    grpcCode,
    retryable: CATEGORY_DEFAULTS[category].retryable,
    errorType: code,
  };
}

function grpcVerdict(code: number): Verdict {
  const category = GRPC_CATEGORIES[code] ?? 'unknown';
  return {
    category,
    status: code === 0 ? SpanStatusCode.UNSET : SpanStatusCode.ERROR,
    httpStatus: grpcCodeToHttpStatus(code),
    grpcCode: code,
    retryable: code !== 0 && CATEGORY_DEFAULTS[category].retryable,
    errorType: GRPC_CODE_NAMES[code] ?? OTHER_ERROR_TYPE,
  };
}

function httpVerdict(httpStatus: number): Verdict {
  const category = httpCategory(httpStatus);
  const isError = httpStatus >= 400;
  return {
    category,
    status: isError ? SpanStatusCode.ERROR : SpanStatusCode.UNSET,
    httpStatus,
    grpcCode: httpStatusToGrpcCode(httpStatus),
    retryable: isError && CATEGORY_DEFAULTS[category].retryable,
    errorType: String(httpStatus),
  };
}

function httpCategory(httpStatus: number): ErrorCategory {
  switch (httpStatus) {
    case 408:
    case 504:
      return 'timeout';
    case 429:
    case 502:
    case 503:
      return 'transient';
    case 499:
      return 'cancelled';
    default:
      if (httpStatus >= 500) return 'server';
      if (httpStatus >= 400) return 'client';
      return 'unknown';
  }
}

/** Nothing recognised: `unknown`, typed by the outermost error's constant-like code or class name. */
function fallbackVerdict(err: unknown): Verdict {
  return categoryVerdict('unknown', errorTypeOf(err));
}

function errorTypeOf(err: unknown): string {
  if (!isObjectLike(err)) return OTHER_ERROR_TYPE;
  const code = readErrorProperty(err, 'code');
  if (typeof code === 'string' && CONSTANT_CODE.test(code)) return code;
  const name = nameOf(err);
  return IDENTIFIER.test(name) ? name : OTHER_ERROR_TYPE;
}

const CATEGORIES = new Set<unknown>(Object.keys(CATEGORY_DEFAULTS));
const STATUS_CODES = new Set<unknown>([SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR]);

/** Applies a rule's patch, ignoring fields with invalid values rather than failing the hot path. */
function applyPatch(base: Verdict, patch: ErrorRulePatch): Verdict {
  const category = readErrorProperty(patch, 'category');
  const start: Verdict =
    CATEGORIES.has(category) && category !== base.category
      ? categoryVerdict(category as ErrorCategory, base.errorType)
      : base;
  const httpStatus = validHttpStatus(readErrorProperty(patch, 'httpStatus'));
  const grpcCode = readErrorProperty(patch, 'grpcCode');
  const retryable = readErrorProperty(patch, 'retryable');
  const errorType = readErrorProperty(patch, 'errorType');
  const status = readErrorProperty(patch, 'status');
  return {
    category: start.category,
    status: STATUS_CODES.has(status) ? (status as SpanStatusCode) : start.status,
    httpStatus: httpStatus ?? start.httpStatus,
    grpcCode:
      typeof grpcCode === 'number' && Number.isInteger(grpcCode) && grpcCode >= 0 && grpcCode <= 16
        ? grpcCode
        : start.grpcCode,
    retryable: typeof retryable === 'boolean' ? retryable : start.retryable,
    errorType:
      typeof errorType === 'string' && errorType.length > 0
        ? errorType.slice(0, MAX_TYPE_LENGTH)
        : start.errorType,
  };
}

/**
 * Name, code and message of anything thrown, read defensively (getters may throw, proxies may be
 * revoked). Used for the root cause and by `recordError` for the outermost error.
 * @internal
 */
export function describeThrown(value: unknown): ErrorRootCause {
  if (!isObjectLike(value)) {
    return { name: value === null ? 'null' : typeof value, code: undefined, message: primitiveText(value) };
  }
  const code = readErrorProperty(value, 'code');
  const message = readErrorProperty(value, 'message');
  return {
    name: nameOf(value),
    code:
      typeof code === 'string'
        ? code.slice(0, MAX_TYPE_LENGTH)
        : typeof code === 'number' && Number.isFinite(code)
          ? String(code)
          : undefined,
    message: typeof message === 'string' ? truncate(message, MAX_MESSAGE_LENGTH) : '',
  };
}

/**
 * The low-cardinality label of a root cause, as put on `trisignal.error.root_cause`: its code when that is
 * a non-numeric string (`ECONNREFUSED`), else its name (`TypeError`). Numeric codes (gRPC, DOMException,
 * database codes) are left out: alone they are ambiguous, and the name is not.
 */
export function rootCauseLabel(rootCause: ErrorRootCause): string {
  const code = rootCause.code;
  const label = code !== undefined && code.length > 0 && !/^\d+$/.test(code) ? code : rootCause.name;
  return label.length > 0 ? label.slice(0, MAX_TYPE_LENGTH) : OTHER_ERROR_TYPE;
}

/**
 * Reads a property without letting a throwing getter or a revoked proxy escape.
 * @internal
 */
export function readErrorProperty(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function nameOf(value: object): string {
  const name = readErrorProperty(value, 'name');
  if (typeof name === 'string' && name.length > 0) return name.slice(0, MAX_NAME_LENGTH);
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    const ctor = isObjectLike(proto) ? readErrorProperty(proto, 'constructor') : undefined;
    const ctorName = isObjectLike(ctor) ? readErrorProperty(ctor, 'name') : undefined;
    if (typeof ctorName === 'string' && ctorName.length > 0) return ctorName.slice(0, MAX_NAME_LENGTH);
  } catch {
    // getPrototypeOf trap threw: fall through
  }
  return 'Object';
}

function primitiveText(value: unknown): string {
  try {
    return truncate(String(value), MAX_MESSAGE_LENGTH);
  } catch {
    return '';
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Message normalisation for fingerprints, in order: the parts that differ between occurrences of one
 * bug (ids, addresses, paths, values) become placeholders, the wording stays. Each step runs only when
 * its cheap `includes` guard matches, because most messages need only two or three of them.
 */
const NORMALISERS: readonly (readonly [
  guard: (text: string) => boolean,
  pattern: RegExp,
  replacement: string,
])[] = [
  // V8's JSON.parse messages quote the input, which has quotes of its own.
  [(t) => t.includes(' is not valid JSON'), /"[^\n]*" is not valid JSON/g, '<str> is not valid JSON'],
  [(t) => t.includes('://'), /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>'],
  [(t) => t.includes('-'), /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [
    (t) => t.includes('"') || t.includes("'") || t.includes('`'),
    /"(?:[^"\\\n]|\\.)*"|(?<!\w)'(?:[^'\\\n]|\\.)*'|(?<!\w)`(?:[^`\\\n]|\\.)*`/g,
    '<str>',
  ],
  [
    (t) => t.includes('/') || t.includes('\\'),
    /(?<![^\s'"`<>(),;])(?:[A-Za-z]:)?[^\s'"`<>(),;]*[\\/][^\s'"`<>(),;]*/g,
    '<path>',
  ],
  [(t) => t.includes('.'), /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>'],
  [(t) => /:[0-9a-f]*:/i.test(t), /(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?::\d+)?/gi, '<ip>'],
  [(t) => t.includes('0x') || t.includes('0X'), /\b0x[0-9a-f]+\b/gi, '<hex>'],
  [(t) => /\d/.test(t), /\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>'],
  [(t) => /\d/.test(t), /\d+/g, '<n>'],
  [(t) => /\s\s|[\t\n\r\f\v]/.test(t), /\s+/g, ' '],
];

/**
 * The message with ids, numbers, addresses, paths and quoted values replaced by placeholders.
 * @internal
 */
export function normaliseErrorMessage(message: string): string {
  let text = message.slice(0, MAX_MESSAGE_LENGTH);
  for (const [guard, pattern, replacement] of NORMALISERS) {
    if (guard(text)) text = text.replace(pattern, replacement);
  }
  return text.trim();
}

/** `crypto.hash` (Node 20.12+) is a one-shot sha256 several times cheaper than `createHash`. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;
/** Fingerprints of recent raw root causes: an outage repeats one error many times a second. */
const fingerprintCache = new Map<string, string>();
const MAX_CACHED_FINGERPRINTS = 256;

function fingerprintOf(rootCause: ErrorRootCause): string {
  const key = `${rootCause.name}\u0000${rootCause.code ?? ''}\u0000${rootCause.message}`;
  const cached = fingerprintCache.get(key);
  if (cached !== undefined) return cached;
  const input = `${rootCause.name}\u0000${rootCause.code ?? ''}\u0000${normaliseErrorMessage(rootCause.message)}`;
  const digest =
    typeof oneShotHash === 'function'
      ? oneShotHash('sha256', input)
      : crypto.createHash('sha256').update(input).digest('hex');
  const fingerprint = digest.slice(0, 16);
  // Clearing beats LRU bookkeeping here: it keeps the map bounded and costs nothing per hit.
  if (fingerprintCache.size >= MAX_CACHED_FINGERPRINTS) fingerprintCache.clear();
  fingerprintCache.set(key, fingerprint);
  return fingerprint;
}
