import { parseDocument } from 'yaml';

const KNOWN_HEADERS = [
  '#cloud-config',
  '#!',
  '## template: jinja',
  '#cloud-boothook',
  '#part-handler',
  '#include',
  '#cloud-config-archive',
  'Content-Type:',
  'MIME-Version:',
];

/**
 * Checks what can be checked of user-data on the host: a known format header and, for
 * cloud-config, that it parses as YAML 1.1 the way cloud-init's PyYAML reads it to a
 * mapping. Returns a description of the problem, or undefined when it looks right.
 */
export function checkUserData(userData: string): string | undefined {
  const firstLine = userData.split('\n', 1)[0] ?? '';
  if (!KNOWN_HEADERS.some((header) => firstLine.startsWith(header))) {
    return `starts with "${firstLine.slice(0, 40)}", which cloud-init does not recognise (start with #cloud-config, #!, ## template: jinja, #cloud-boothook, #part-handler, #include or a MIME header)`;
  }
  if (!firstLine.startsWith('#cloud-config') || firstLine.startsWith('#cloud-config-archive')) return undefined;
  const doc = parseDocument(userData, { version: '1.1', prettyErrors: false, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const line = userData.slice(0, error.pos[0]).split('\n').length;
    return `is not valid YAML (line ${line} of the cloud-config): ${error.message.split('\n')[0]}`;
  }
  const contents: unknown = doc.toJS();
  if (contents !== null && (typeof contents !== 'object' || Array.isArray(contents))) {
    return 'must be a YAML mapping (key: value) after #cloud-config';
  }
  return undefined;
}
