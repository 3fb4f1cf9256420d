import diagnosticsChannel from 'node:diagnostics_channel';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GRPC_CLIENT_TRACING_CHANNEL,
  GRPC_SERVER_TRACING_CHANNEL,
  type GrpcCallMessage,
} from '../src/index.js';
import { expectQuiet, type Harness, SERVICE, spansOf, startHarness, unary } from './helpers.js';

describe('diagnostics_channel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(grpc);
  });
  afterAll(async () => {
    await h.close();
  });

  it('publishes start and asyncEnd once per call on both sides', async () => {
    const events: string[] = [];
    const ends: GrpcCallMessage[] = [];
    const subscribe = (name: string, side: string): (() => void) => {
      const channel = diagnosticsChannel.tracingChannel<unknown, GrpcCallMessage>(name);
      const handlers = {
        start: (m: GrpcCallMessage) => events.push(`${side}:start:${m.path}`),
        end: () => {},
        asyncStart: () => {},
        asyncEnd: (m: GrpcCallMessage) => {
          events.push(`${side}:asyncEnd:${m.statusCode}`);
          ends.push(m);
        },
        error: () => {},
      };
      channel.subscribe(handlers);
      return () => channel.unsubscribe(handlers);
    };
    const offServer = subscribe(GRPC_SERVER_TRACING_CHANNEL, 'server');
    const offClient = subscribe(GRPC_CLIENT_TRACING_CHANNEL, 'client');
    try {
      await unary(h.client, { mode: 'status', code: 5 });
      await expectQuiet(h);
    } finally {
      offServer();
      offClient();
    }
    expect(events.sort()).toEqual(
      [
        `client:start:/${SERVICE}/Unary`,
        'client:asyncEnd:5',
        `server:start:/${SERVICE}/Unary`,
        'server:asyncEnd:5',
      ].sort(),
    );
    const [server] = spansOf(h, 'server', 'Unary');
    expect(ends.map((m) => m.span.spanContext().traceId)).toEqual([
      server!.spanContext().traceId,
      server!.spanContext().traceId,
    ]);
    for (const m of ends) expect(m.durationSeconds).toBeGreaterThan(0);
  });
});
