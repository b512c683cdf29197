import ssh2 from 'ssh2';

/** What platforms/types.ts's AccessKey holds; kept here so that core imports nothing of ours. */
export interface GeneratedAccessKey {
  readonly publicKey: string;
  readonly privateKey: string;
}

/**
 * A fresh ed25519 key for one run (or one conformance run): never written to disk by the
 * harness, never put in a case's user-data or vendor-data. Drivers that connect over SSH
 * authorize its public half through the platform's own means.
 */
export function generateAccessKey(comment: string): GeneratedAccessKey {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  return { publicKey: pair.public.trim(), privateKey: pair.private };
}
