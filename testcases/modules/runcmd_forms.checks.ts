import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

describeCase('runcmd_forms', (cell) => {
  it('the list entry got its arguments verbatim; the string entry was expanded by the shell', () => {
    assert.equal(cell.file('/var/lib/cloudproof-forms.txt'), "arg zero|two words|$HOME|it's|string form expands 42\n");
  });

  it('the script quotes each list element and keeps the string as written', () => {
    assert.equal(
      cell.file('/var/lib/cloud/instance/scripts/runcmd'),
      [
        '#!/bin/sh',
        `'sh' '-c' 'printf "%s|" "$0" "$@" > /var/lib/cloudproof-forms.txt' 'arg zero' 'two words' '$HOME' 'it'\\''s'`,
        'echo "string form expands $((6 * 7))" >> /var/lib/cloudproof-forms.txt',
        '',
      ].join('\n'),
    );
  });
});
