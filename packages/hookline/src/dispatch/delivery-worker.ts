/**
 * The delivery thread (started by delivery-thread.ts): a Dispatcher and its Sender, calling the SQLite
 * store on the main thread over their own port, taking fresh deliveries from it as they commit.
 */
import type { MessagePort } from 'node:worker_threads';
import { createLogger } from '../observe/logger.js';
import { FiguresBatch, metricsObserver } from '../observe/metrics.js';
import { OperationalWebhooks } from '../operational/operational-webhooks.js';
import type { StoreCapabilities } from '../store/port.js';
import { forwardStore } from '../store/sqlite/store-host.js';
import { reviveStoreError } from '../store/sqlite/thread-protocol.js';
import type { ClaimedDelivery } from '../store/types.js';
import { rpcClient, serveOnThread } from '../threads/rpc.js';
import { deliveryObserver, localDelivery } from './delivery.js';
import type { HandOff } from './hand-off.js';
import type { DeliveryThreadData } from './delivery-thread.js';

type Data = DeliveryThreadData & { capabilities: StoreCapabilities; port: MessagePort };

await serveOnThread(
  (raw, emit) => {
    const data = raw as Data;
    let handOff: Pick<HandOff, 'accept' | 'wake'> | null = null;
    const client = rpcClient(data.port, {
      revive: reviveStoreError,
      onEvent: (event, value) => {
        if (event === 'accept') handOff?.accept(value as ClaimedDelivery[]);
        else if (event === 'wake') handOff?.wake();
      },
    });
    const store = forwardStore(client.call, data.capabilities, {});
    const logger = createLogger(data.config.logLevel);
    const metrics = metricsObserver(new FiguresBatch((figures) => emit('figures', figures)));
    const operational = data.operational
      ? new OperationalWebhooks(store, data.operational, Date.now, logger, () => delivery.wake())
      : null;
    const delivery = localDelivery(store, data.config, data.workerId, logger, {
      ...deliveryObserver(metrics, operational),
      // The host leases fresh deliveries to this thread only while it has room.
      capacityChanged: (room) => void client.call('setDeliveryRoom', [room]).catch(() => undefined),
    });
    handOff = delivery.dispatcher;
    return {
      start: () => delivery.start(),
      wake: () => delivery.wake(),
      endpointChanged: (endpointId: string) => delivery.endpointChanged(endpointId),
      health: () => delivery.health(),
      stop: (graceMs: number) => delivery.stop(graceMs),
    };
  },
);
