import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const SEED = Buffer.concat([Buffer.from('cloudproof seed '), Buffer.from([0x00, 0x01, 0xff])]);

describeCase('seed_random', (cell) => {
  it('appends exactly the decoded seed bytes to the file', () => {
    assert.deepEqual(cell.fileBytes('/var/lib/cloudproof/seed.bin'), SEED);
  });

  it('runs the command with RANDOM_SEED_FILE set, after the data is written', () => {
    assert.equal(cell.file('/var/lib/cloudproof/seed-command.txt'), `file=/var/lib/cloudproof/seed.bin bytes=${SEED.length}\n`);
  });

  it('logs how many bytes it added, and where', () => {
    assert.match(cell.log(), new RegExp(`seed_random: adding ${SEED.length} bytes of random seed entropy to /var/lib/cloudproof/seed\\.bin`));
  });
});
