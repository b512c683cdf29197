import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

const DEFAULT = /^Cloud-init v\. (\S+) finished at (.+)\. Datasource (.+)\. {2}Up (\S+) seconds$/;

function messages(text: string): RegExpExecArray[] {
  return text
    .split('\n')
    .map((line) => DEFAULT.exec(line.replace(/^.* - util\.py\[DEBUG\]: /, '')))
    .filter((match): match is RegExpExecArray => match !== null);
}

function cloudInitVersion(cell: HarvestedCell): string {
  const output = cell.command('cloud-init-version').stdout;
  const version = /cloud-init\s+(\S+)\s*$/m.exec(output)?.[1];
  assert.ok(version, `cloud-init --version printed no version:\n${output}`);
  return version;
}

describeCase('final_message_default', (cell) => {
  it('prints the default message exactly once in cloud-init-output.log', () => {
    const found = messages(cell.outputLog());
    assert.equal(found.length, 1, `found ${found.length} default final messages:\n${cell.outputLog().split('\n').slice(-4).join('\n')}`);
  });

  it('names the version that ran and the datasource status.json names', () => {
    const [match] = messages(cell.outputLog());
    assert.ok(match);
    assert.equal(match[1], cloudInitVersion(cell));
    const status = JSON.parse(cell.file('/run/cloud-init/status.json')) as { v1: { datasource: string } };
    assert.equal(match[3], status.v1.datasource);
  });

  it('its uptime and timestamp are the ones boot-finished records', () => {
    const [match] = messages(cell.outputLog());
    assert.ok(match);
    assert.equal(cell.file('/var/lib/cloud/instance/boot-finished').trim(), `${match[4]} - ${match[2]} - v. ${match[1]}`);
  });
});
