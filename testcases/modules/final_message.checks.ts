import assert from 'node:assert/strict';
import { describeCase, type HarvestedCell } from '../api.js';

const RENDERED = /^cloudproof final_message: version=(\S+) datasource=(.+) timestamp=(.+) uptime=(\S+) end$/;

/**
 * The lines of a log that are the rendered final message. cloud-init.log prefixes its own:
 * 22.4 logs the message from util.py, later versions (25.1) from log_util.py.
 */
function messages(text: string): RegExpExecArray[] {
  return text
    .split('\n')
    .map((line) => RENDERED.exec(line.replace(/^.* - (?:log_)?util\.py\[DEBUG\]: /, '')))
    .filter((match): match is RegExpExecArray => match !== null);
}

/** The version `cloud-init --version` printed: "/usr/bin/cloud-init 22.4.2". */
function cloudInitVersion(cell: HarvestedCell): string {
  const output = cell.command('cloud-init-version').stdout;
  const version = /cloud-init\s+(\S+)\s*$/m.exec(output)?.[1];
  assert.ok(version, `cloud-init --version printed no version:\n${output}`);
  return version;
}

describeCase('final_message', (cell) => {
  it('prints the rendered message exactly once in cloud-init-output.log, instead of the default', () => {
    const output = cell.outputLog();
    const found = messages(output);
    assert.equal(found.length, 1, `expected the custom final message once in cloud-init-output.log, found ${found.length}:\n${output.split('\n').slice(-5).join('\n')}`);
    assert.doesNotMatch(output, /Cloud-init v\. \S+ finished at/, 'the default final message was printed too');
  });

  it('renders $version as the cloud-init that ran', () => {
    const [match] = messages(cell.outputLog());
    assert.ok(match);
    assert.equal(match[1], cloudInitVersion(cell), `final message: ${match[0]}`);
  });

  it('renders $datasource as the datasource cloud-init used', () => {
    const [match] = messages(cell.outputLog());
    assert.ok(match);
    const status = JSON.parse(cell.file('/run/cloud-init/status.json')) as { v1: { datasource: string } };
    assert.equal(match[2], status.v1.datasource, `final message: ${match[0]}`);
    assert.match(match[2] ?? '', /^DataSourceNoCloud\b/);
  });

  it('renders $timestamp and $UPTIME as recorded in boot-finished', () => {
    const [match] = messages(cell.outputLog());
    assert.ok(match);
    // boot-finished: "<uptime> - <timestamp> - v. <version>", written by the same module.
    const finished = cell.file('/var/lib/cloud/instance/boot-finished').trim();
    assert.equal(finished, `${match[4]} - ${match[3]} - v. ${match[1]}`, `final message: ${match[0]}`);
    assert.ok(Number(match[4]) > 0, `uptime is not a number: ${match[4]}`);
    assert.ok(!Number.isNaN(Date.parse(match[3] ?? '')), `timestamp is not a date: ${match[3]}`);
  });

  it('logs the same message to cloud-init.log', () => {
    const [inOutput] = messages(cell.outputLog());
    const inLog = messages(cell.log());
    assert.equal(inLog.length, 1, `expected the final message once in cloud-init.log, found ${inLog.length}`);
    assert.equal(inLog[0]?.[0], inOutput?.[0]);
  });
});
