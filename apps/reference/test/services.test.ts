/**
 * orders and inventory in one process (the launcher runs them as two): the checkout's trace crosses
 * the gRPC call with the right parents, the error-prone route answers 500 with the trace id and counts
 * exactly the share injected, and the report streams stock from inventory.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { init, type Observability } from '@trisignal/core';
import { clientInterceptor } from '@trisignal/middleware-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapacity } from '../src/capacity.js';
import { createFaultInjector, type FaultInjector } from '../src/faults.js';
import { startInventoryServer, type InventoryServer } from '../src/inventory/server.js';
import { loadInventory, type InventoryClient } from '../src/inventory-proto.js';
import { createOrdersApp } from '../src/orders/app.js';
import { createRng } from '../src/rng.js';

const spans = new InMemorySpanExporter();
let obs: Observability;
let inventory: InventoryServer;
let client: InventoryClient;
let server: Server;
let base: string;
let ordersFaults: FaultInjector;

beforeAll(async () => {
  obs = init({
    service: 'reference-test',
    spanProcessors: [new SimpleSpanProcessor(spans)],
    signalHooks: false,
    runtimeMetrics: false,
  });
  inventory = await startInventoryServer(
    { obs, admission: undefined, faults: createFaultInjector(), random: createRng(2) },
    '127.0.0.1',
    0,
  );
  const { Client } = loadInventory();
  const target = `127.0.0.1:${inventory.port}`;
  client = new Client(target, grpc.credentials.createInsecure(), {
    interceptors: [clientInterceptor({ obs, target })],
  });
  ordersFaults = createFaultInjector();
  const app = createOrdersApp({
    obs,
    admission: undefined,
    inventory: client,
    faults: ordersFaults,
    capacity: createCapacity(4),
    random: createRng(1),
  });
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  client.close();
  await inventory.stop(1000);
  await obs.shutdown();
});

async function spansOf(traceId: string, count: number) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('orders → inventory', () => {
  it('checkout: one trace, orders SERVER → price order + CLIENT Reserve → inventory SERVER Reserve', async () => {
    const res = await fetch(`${base}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ itemId: 'sku-001', quantity: 2 }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { orderId: string; reservationId: string };
    expect(body.reservationId).toMatch(/^r-\d+$/);
    const traceId = res.headers.get('x-trace-id')!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const trace = await spansOf(traceId, 4);
    const byName = (name: string, kind: SpanKind) => trace.find((s) => s.name === name && s.kind === kind)!;
    const root = byName('POST /api/checkout', SpanKind.SERVER);
    const price = byName('price order', SpanKind.INTERNAL);
    const call = byName('shop.Inventory/Reserve', SpanKind.CLIENT);
    const remote = byName('shop.Inventory/Reserve', SpanKind.SERVER);
    expect(root.parentSpanContext).toBeUndefined();
    expect(price.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(call.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(remote.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(root.attributes['trisignal.slo.class']).toBeDefined();
  });

  it('a bad checkout body is a 400, not an error', async () => {
    const res = await fetch(`${base}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ quantity: 0 }),
    });
    expect(res.status).toBe(400);
    const [root] = await spansOf(res.headers.get('x-trace-id')!, 1);
    expect(root!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('recommendations fail exactly the share injected, answering 500 with the trace id', async () => {
    ordersFaults.set({ errorRate: { '/api/recommendations': 0.25 }, extraLatencyMs: {} });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${base}/api/recommendations?item=sku-00${i}`);
      statuses.push(res.status);
      if (res.status === 500) {
        const body = (await res.json()) as { traceId?: string };
        expect(body.traceId).toBe(res.headers.get('x-trace-id'));
        const [root] = await spansOf(body.traceId!, 1);
        expect(root!.status.code).toBe(SpanStatusCode.ERROR);
      } else {
        await res.arrayBuffer();
      }
    }
    expect(statuses.filter((s) => s === 500)).toHaveLength(2);
    expect(ordersFaults.injected()['/api/recommendations']).toBe(2);
    ordersFaults.set({ errorRate: {}, extraLatencyMs: {} });
  });

  it('the daily report streams stock levels from inventory (server-streaming call in the same trace)', async () => {
    const res = await fetch(`${base}/reports/daily`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: number }).items).toBe(30);
    const trace = await spansOf(res.headers.get('x-trace-id')!, 3);
    expect(
      trace
        .filter((s) => s.name === 'shop.Inventory/StreamStock')
        .map((s) => s.kind)
        .sort(),
    ).toEqual([SpanKind.SERVER, SpanKind.CLIENT]);
  });
});
