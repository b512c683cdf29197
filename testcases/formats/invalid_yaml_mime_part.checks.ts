import assert from 'node:assert/strict';
import { describeCase } from '../api.js';
import { assertDoneDegradedBy } from '../status-checks.js';

describeCase('invalid_yaml_mime_part', (cell) => {
  it('applies the valid part', () => {
    assert.equal(cell.file('/var/lib/cloudproof/from-good-part.txt'), 'written by the good part\n');
  });

  it('drops the broken part whole: neither its write_files nor its runcmd took effect', () => {
    assert.equal(cell.command('broken-part-effects').stdout, '');
    assert.doesNotMatch(cell.file('/var/lib/cloud/instance/cloud-config.txt'), /from-broken-part|broken\.runs/);
  });

  it("points at the YAML error's place in the part", () => {
    assert.match(cell.log(), /expected ',' or '\]', but got '<stream end>'/);
  });

  it('status is done: exit 0 before 23.4, exit 2 with the WARNINGs as recoverable errors from 23.4 on', () => {
    assertDoneDegradedBy(cell, 'Failed at merging in cloud config part from broken.yaml: empty cloud config');
  });
});
