import type { ImageInfo, Labels } from '../types.js';

/** What must outlive the process that launched an instance, so that another can list and remove it. */
export interface InstanceRecord {
  readonly name: string;
  readonly labels: Labels;
  /** `Running`, or `Stopped` once published. */
  readonly status: 'Running' | 'Stopped';
  readonly createdAt: string;
  readonly imageFingerprint: string;
}

/**
 * Where the fake keeps its instances and images: in memory (MemoryStore) or in a state
 * folder (DirectoryStore). Image changes are a read-modify-write, serialized per store.
 */
export interface FakeStore {
  /** Throws a HarnessError saying what to fix when the store cannot be used. */
  check(): Promise<void>;
  instances(): Promise<readonly InstanceRecord[]>;
  instance(name: string): Promise<InstanceRecord | undefined>;
  putInstance(record: InstanceRecord): Promise<void>;
  /** Idempotent. */
  removeInstance(name: string): Promise<void>;
  images(): Promise<readonly ImageInfo[]>;
  /** Returns what `change` returned besides the new list. */
  updateImages<T>(change: (images: readonly ImageInfo[]) => { readonly images: readonly ImageInfo[]; readonly result: T }): Promise<T>;
}
