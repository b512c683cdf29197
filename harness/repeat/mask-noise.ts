/**
 * What changes from one boot to the next however healthy the case is, masked before two
 * harvests are compared, so that what is left to differ is worth a look. Each pattern is
 * noise seen in two harvests of the same passing cases on LXD (cloud-init.log,
 * status.json, analyze dump, ssh-keygen output); anything else is compared as it is.
 */
const NOISE: readonly (readonly [RegExp, string])[] = [
  // 2026-12-02 06:10:25,430 (cloud-init.log), 2026-12-02T06:10:25.43+00:00 (JSON)
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  // Wed, 02 Dec 2026 06:10:34 +0000 (status --long, cloud-init-output.log)
  [/\b[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}(?: [+-]\d{4})?/g, '<time>'],
  // Dec 02 06:10:34 (journal, syslog)
  [/\b[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}\b/g, '<time>'],
  // Seconds since the epoch, 2001 to 2033 (status.json, analyze dump)
  [/\b1\d{9}(?:\.\d+)?\b/g, '<epoch>'],
  // "Up 777.73 seconds", "took 0.012 seconds": uptimes and durations
  [/\b\d+\.\d+ ?(?:seconds|secs|s)\b/g, '<seconds>'],
  // final_message's uptime=1850.47, and the uptime that starts /var/lib/cloud/instance/boot-finished
  [/\buptime=\d+(?:\.\d+)?/g, 'uptime=<seconds>'],
  [/^\d+\.\d+(?= - )/gm, '<seconds>'],
  [/\bSHA256:[A-Za-z0-9+/]{43}\b/g, 'SHA256:<fingerprint>'],
  [/\b(ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/]+={0,3}/g, '$1 <key>'],
  // ssh-keygen's randomart picture: one line of it
  [/^\|.{17}\|$/gm, '|<randomart>|'],
  // Python's tempfile names (tmpozqnsv4p)
  [/\btmp[a-z0-9_]{8}\b/g, 'tmp<random>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // Python object addresses (<... object at 0x7fd1e6ca8610>)
  [/\b0x[0-9a-f]{6,}\b/g, '0x<address>'],
  // machine-id, boot id, hashes
  [/\b[0-9a-f]{32,}\b/gi, '<hex>'],
];

const DEBUG_LINE = /^\S+ \S+ - [\w.-]+\[DEBUG\]: /;

/**
 * The text with noise masked. `names` are the repetition's own names (its run id, the
 * cell's instance name, which is also its hostname and instance-id), replaced longest first.
 */
export function maskNoise(text: string, names: Readonly<Record<string, string>>): string {
  // cloud-init's DEBUG lines are a trace of the boot: sizes, addresses, pids and timings
  // on every other line. The judge reads the levels above, and so does this comparison.
  let masked = text
    .split('\n')
    .filter((line) => !DEBUG_LINE.test(line))
    .join('\n');
  const byLength = Object.entries(names)
    .filter(([name]) => name.length > 0)
    .sort(([a], [b]) => b.length - a.length);
  for (const [name, placeholder] of byLength) masked = masked.split(name).join(placeholder);
  for (const [pattern, replacement] of NOISE) masked = masked.replace(pattern, replacement);
  return masked;
}

/** In words, for the report: what maskNoise leaves out and masks. */
export const MASKED =
  "cloud-init's DEBUG log lines left out; the repetition's run id and instance name (also its hostname and instance-id), timestamps, epoch seconds, " +
  'uptimes and durations, ssh key fingerprints, keys and randomart, temporary file names, object addresses, UUIDs and hex ids of 32 digits or more masked';
