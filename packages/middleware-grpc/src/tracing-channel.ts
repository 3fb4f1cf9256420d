import diagnosticsChannel from 'node:diagnostics_channel';
import type { Span } from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';

/** `diagnostics_channel` tracing channel of server calls. */
export const GRPC_SERVER_TRACING_CHANNEL = 'trisignal.grpc.server.call';
/** `diagnostics_channel` tracing channel of client calls. */
export const GRPC_CLIENT_TRACING_CHANNEL = 'trisignal.grpc.client.call';

/**
 * The message published on `tracing:trisignal.grpc.{server,client}.call:*`: `start` when the call's span
 * starts (server: request metadata received, before the handler; client: call started), `asyncEnd`
 * once, when the call ends with a status (the fields below the line are set by then).
 */
export interface GrpcCallMessage {
  /** `/package.Service/Method`. */
  readonly path: string;
  /** The call's SERVER or CLIENT span. */
  readonly span: Span;
  /** Request metadata (server: as received; client: as sent, with the propagation fields). */
  readonly metadata: Metadata;
  statusCode?: number | undefined;
  durationSeconds?: number | undefined;
}

// Created once at load: channels are cheap to hold and `hasSubscribers` is a field read.
export const serverChannel = diagnosticsChannel.tracingChannel<unknown, GrpcCallMessage>(
  GRPC_SERVER_TRACING_CHANNEL,
);
export const clientChannel = diagnosticsChannel.tracingChannel<unknown, GrpcCallMessage>(
  GRPC_CLIENT_TRACING_CHANNEL,
);
