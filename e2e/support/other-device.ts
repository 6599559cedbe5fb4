/**
 * Another device of the instances' user: a sync client of the library, in the test's process,
 * that writes through the sync protocol as any device would, past every input rule of the
 * app. `write` makes its changes; they are then synced, and the device is closed.
 */
import { createHttpRemote, createMemoryStore, createSyncClient, type SyncClient } from 'fieldsync';
import { appSchema } from '../../src/shared/app-schema.ts';
import type { Cluster } from '../scenarios/types.ts';

export async function fromOtherDevice(cluster: Cluster, write: (device: SyncClient) => Promise<void>): Promise<void> {
  const remote = createHttpRemote({ url: cluster.server.url, token: cluster.server.token });
  const device = await createSyncClient({ schema: appSchema.sync, store: createMemoryStore(), remote, autoSync: false });
  try {
    await write(device);
    await device.sync();
  } finally {
    await device.close();
  }
}
