import type { ExecSpec, ImportSpec, LaunchSpec, PublishSpec, PushOptions } from '../types.js';

/**
 * What FakePlatform was asked to do, in order, for tests to read back: every launch,
 * exec (including those its own restart makes to read the boot id), push, restart,
 * publish, instance removal and image change, recorded as it is called, whether it then
 * succeeds or not. Reads (pull, listings, lookups) are not recorded.
 */
export type FakeCall =
  | { readonly kind: 'launch'; readonly spec: LaunchSpec }
  | { readonly kind: 'exec'; readonly instance: string; readonly command: readonly string[]; readonly spec: ExecSpec }
  | { readonly kind: 'push'; readonly instance: string; readonly path: string; readonly content: Buffer; readonly options: PushOptions }
  | { readonly kind: 'restart'; readonly instance: string }
  | { readonly kind: 'publish'; readonly instance: string; readonly spec: PublishSpec }
  | { readonly kind: 'delete'; readonly instance: string }
  | { readonly kind: 'destroy'; readonly instance: string }
  | { readonly kind: 'import-image'; readonly spec: ImportSpec }
  | { readonly kind: 'delete-image'; readonly fingerprint: string };

export type FakeCallKind = FakeCall['kind'];
