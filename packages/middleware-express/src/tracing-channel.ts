import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Span } from '@opentelemetry/api';

/** Name of the `diagnostics_channel` tracing channel the middleware publishes to. */
export const EXPRESS_TRACING_CHANNEL = 'trisignal.express.request';

/**
 * The message published on `tracing:trisignal.express.request:*`: `start` before the handlers run,
 * `end` when they return synchronously, `error` when `errorHandler` sees an error, `asyncEnd` when the
 * response is complete or the client went away (the fields below the line are set by then).
 */
export interface ExpressRequestMessage {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The request's SERVER span; undefined with `tracing: false`. */
  readonly span: Span | undefined;
  route?: string | undefined;
  statusCode?: number | undefined;
  durationSeconds?: number | undefined;
  error?: unknown;
}

// Created once at load: channels are cheap to hold and `hasSubscribers` is a field read.
export const requestChannel = diagnosticsChannel.tracingChannel<unknown, ExpressRequestMessage>(
  EXPRESS_TRACING_CHANNEL,
);
