import assert from 'node:assert/strict';
import { describeCase } from '../api.js';

const LOCAL_SOURCE = 'deb [trusted=yes] file:/var/lib/cloudproof/apt-repo ./';

/** The non-comment, non-blank lines of a sources.list-style file. */
function debLines(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

describeCase('apt_configure', (cell) => {
  it('writes apt.conf from `conf`, and apt-config reads it', () => {
    const conf = cell.file('/etc/apt/apt.conf.d/94cloud-init-config');
    assert.equal(conf, 'Acquire::Languages "none";\nAPT::Get::Assume-Yes "true";\n');
    const dump = cell.stdoutOf('apt-config');
    assert.match(dump, /^APT::Get::Assume-Yes "true";$/m, 'apt-config dump does not show APT::Get::Assume-Yes "true"');
    assert.match(dump, /^Acquire::Languages:: "none";$/m, 'apt-config dump does not show Acquire::Languages "none"');
  });

  it('writes the proxy, and apt-config reads it', () => {
    assert.equal(cell.file('/etc/apt/apt.conf.d/90cloud-init-aptproxy').trim(), 'Acquire::http::Proxy "http://proxy.cloudproof.invalid:3128";');
    assert.match(cell.stdoutOf('apt-config'), /^Acquire::http::Proxy "http:\/\/proxy\.cloudproof\.invalid:3128";$/m, 'apt-config dump has no http proxy');
  });

  it('renders sources.list from the template with the configured mirror and the release', () => {
    const sourcesList = cell.file('/etc/apt/sources.list');
    // $RELEASE is the codename of the image's own release, which instance-data records.
    const release = (JSON.parse(cell.file('/run/cloud-init/instance-data.json')) as { v1: { distro_release: string } }).v1.distro_release;
    assert.ok(
      sourcesList.split('\n').includes(`# Rendered by cloud-init: mirror http://mirror.cloudproof.invalid/debian release ${release}`),
      `$MIRROR or $RELEASE (${release}) not rendered as expected:\n${sourcesList}`,
    );
    assert.deepEqual(debLines(sourcesList), [], `the image's deb lines survived preserve_sources_list: false:\n${sourcesList}`);
  });

  it('writes the named source to sources.list.d, and nothing else there', () => {
    assert.deepEqual(debLines(cell.file('/etc/apt/sources.list.d/cloudproof-local.list')), [LOCAL_SOURCE]);
    assert.deepEqual(cell.stdoutOf('sources-d').trim().split('\n'), ['cloudproof-local.list']);
  });

  it("apt-get update at boot read the configured source: apt knows the local repository's package", () => {
    const policy = cell.stdoutOf('policy-marker');
    assert.match(policy, /Candidate: 1\.0-cloudproof1/, `apt-cache policy cloudproof-marker:\n${policy}`);
    assert.match(policy, /500 file:\/var\/lib\/cloudproof\/apt-repo \.\/ Packages/, `apt-cache policy cloudproof-marker:\n${policy}`);
  });

  it('apt knows no source but the local one (nothing could have been fetched)', () => {
    const policy = cell.stdoutOf('policy');
    // Source lines look like " 500 http://deb.debian.org/debian bookworm/main amd64 Packages".
    const sources = policy.split('\n').filter((line) => /^\s*\d+ [a-z0-9+]+:/.test(line));
    assert.deepEqual(sources.map((line) => line.trim()), ['500 file:/var/lib/cloudproof/apt-repo ./ Packages'], `apt-cache policy:\n${policy}`);
  });
});
