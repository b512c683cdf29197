import assert from 'node:assert/strict';
import type { HarvestedCell } from '../api.js';

/** Where the case's write_files puts what jinja rendered from merged_system_cfg. */
export const RENDERED_FILE = '/var/lib/cloudproof/merged-system-cfg.txt';

/**
 * The checks of a case whose user-data renders merged_system_cfg into RENDERED_FILE.
 * Shared with the undeclared copy in test/fixtures/matrix/, which exists to show what the
 * same user-data does on an image whose cloud-init is too old for it.
 */
export function mergedSystemCfgChecks(cell: HarvestedCell): void {
  it('renders merged_system_cfg into the write_files content', () => {
    const values = keyValues(cell.file(RENDERED_FILE));
    // The log cloud-init's configuration names is the one it wrote and we harvested.
    assert.equal(values.get('def_log_file'), '/var/log/cloud-init.log', `${RENDERED_FILE}:\n${cell.file(RENDERED_FILE)}`);
    const datasources = (values.get('datasource_list') ?? '').split(',').filter(Boolean);
    const status = JSON.parse(cell.file('/run/cloud-init/status.json')) as { v1: { datasource: string | null } };
    const used = /^DataSource(\w+)/.exec(status.v1.datasource ?? '')?.[1];
    assert.ok(used, `status.json names no datasource: ${status.v1.datasource}`);
    assert.ok(datasources.includes(used), `the rendered datasource_list [${datasources.join(', ')}] does not include ${used}, the datasource that ran`);
  });
}

function keyValues(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
}
