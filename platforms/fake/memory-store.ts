import type { ImageInfo } from '../types.js';
import { SerialQueue } from './serial-queue.js';
import type { FakeStore, InstanceRecord } from './store.js';

/** A FakePlatform without a state folder: gone with the object. */
export class MemoryStore implements FakeStore {
  private readonly records = new Map<string, InstanceRecord>();
  private imageList: readonly ImageInfo[];
  private readonly queue = new SerialQueue();

  constructor(images: readonly ImageInfo[]) {
    this.imageList = images;
  }

  async check(): Promise<void> {}

  async instances(): Promise<readonly InstanceRecord[]> {
    return [...this.records.values()];
  }

  async instance(name: string): Promise<InstanceRecord | undefined> {
    return this.records.get(name);
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    this.records.set(record.name, record);
  }

  async removeInstance(name: string): Promise<void> {
    this.records.delete(name);
  }

  async images(): Promise<readonly ImageInfo[]> {
    return this.imageList;
  }

  updateImages<T>(change: (images: readonly ImageInfo[]) => { readonly images: readonly ImageInfo[]; readonly result: T }): Promise<T> {
    return this.queue.run(async () => {
      const { images, result } = change(this.imageList);
      this.imageList = images;
      return result;
    });
  }
}
