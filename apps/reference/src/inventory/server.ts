/**
 * The `inventory` gRPC server: unary `Reserve` and server-streaming `StreamStock`, instrumented with
 * `@trisignal/middleware-grpc`'s server interceptor (listed first) and shedding through the SLO
 * admission controller. Faults (extra latency, UNAVAILABLE answers) come from the scenario.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import type { Admission, Observability } from '@trisignal/core';
import { measureMessageSizes, serverInterceptor } from '@trisignal/middleware-grpc';
import type { FaultInjector } from '../faults.js';
import {
  loadInventory,
  type ReserveReply,
  type ReserveRequest,
  type StockLevel,
  type StockRequest,
} from '../inventory-proto.js';
import { RESERVE_RPC, STOCK_RPC } from '../scenario/routes.js';

export interface InventoryDeps {
  readonly obs: Observability;
  readonly admission: Admission | undefined;
  readonly faults: FaultInjector;
  readonly random: () => number;
}

export interface InventoryServer {
  readonly server: grpc.Server;
  readonly port: number;
  /** Lets calls in flight finish (at most `timeoutMillis`), then stops. */
  stop(timeoutMillis?: number): Promise<void>;
}

/** Starts the server on `host:port` (port 0: any free port). */
export async function startInventoryServer(
  deps: InventoryDeps,
  host: string,
  port: number,
): Promise<InventoryServer> {
  const { obs, faults, random } = deps;
  const stock = new Map<string, number>();
  let reservations = 0;

  const injected = (key: string): grpc.ServiceError | undefined => {
    if (!faults.shouldFail(key)) return undefined;
    return Object.assign(new Error(`injected fault in ${key}`), {
      code: grpc.status.UNAVAILABLE,
      details: `injected fault in ${key}`,
      metadata: new grpc.Metadata(),
    });
  };

  const implementation: grpc.UntypedServiceImplementation = {
    Reserve(
      call: grpc.ServerUnaryCall<ReserveRequest, ReserveReply>,
      callback: grpc.sendUnaryData<ReserveReply>,
    ): void {
      const { itemId, quantity, orderId } = call.request;
      void (async () => {
        await sleep(4 + random() * 8 + faults.extraLatencyMs(RESERVE_RPC));
        const fault = injected(RESERVE_RPC);
        if (fault !== undefined) {
          obs.logger.warn('reservation failed (injected)', {
            'shop.item.id': itemId,
            'shop.order.id': orderId,
          });
          callback(fault);
          return;
        }
        const remaining = Math.max(0, (stock.get(itemId) ?? 1000) - quantity);
        stock.set(itemId, remaining);
        reservations++;
        obs.logger.info('stock reserved', { 'shop.item.id': itemId, 'shop.order.id': orderId, remaining });
        callback(null, { reservationId: `r-${reservations}`, remaining });
      })();
    },
    StreamStock(call: grpc.ServerWritableStream<StockRequest, StockLevel>): void {
      const limit = Math.min(Math.max(call.request.limit || 20, 1), 100);
      void (async () => {
        for (let i = 1; i <= limit && !call.cancelled; i++) {
          const itemId = `sku-${String(i).padStart(3, '0')}`;
          call.write({ itemId, available: stock.get(itemId) ?? 1000 });
          if (i % 10 === 0) await sleep(1 + faults.extraLatencyMs(STOCK_RPC) / 2);
        }
        call.end();
      })();
    },
  };

  const { service } = loadInventory();
  const server = new grpc.Server({ interceptors: [serverInterceptor({ obs, admission: deps.admission })] });
  server.addService(measureMessageSizes(service), implementation);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error === null ? resolve(p) : reject(error),
    ),
  );
  return {
    server,
    port: bound,
    stop(timeoutMillis = 3000) {
      // A caller that keeps its channel open must not hold the shutdown forever.
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, timeoutMillis);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
