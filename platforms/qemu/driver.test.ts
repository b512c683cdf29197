import assert from 'node:assert/strict';
import { UsageError } from '../../core/errors.js';
import { expectedOutcomes } from '../conformance/index.js';
import type { PlatformOptions } from '../types.js';
import qemu from './index.js';
import { vmPaths, type VmRecord } from './instance-record.js';
import { qemuSettingsOf } from './settings.js';
import { qemuArgs } from './vm.js';

const options = (settings: Record<string, string> = {}): PlatformOptions => ({ env: {}, settings, stateDir: '/var/cache/cloudproof/platforms/qemu' });

describe('qemu driver, without qemu', () => {
  it('takes its settings, and names a bad one with what it takes', () => {
    assert.deepEqual(qemuSettingsOf(options()), { accel: 'auto', memoryMiB: 1024, cpus: 1, tcgCpu: 'Nehalem', qemuBinary: 'qemu-system-x86_64', sshUser: 'debian' });
    assert.deepEqual(qemuSettingsOf(options({ accel: 'tcg', memory: '2048', cpus: '2', cpu: 'max', qemu: '/opt/q', 'ssh-user': 'cloud' })), { accel: 'tcg', memoryMiB: 2048, cpus: 2, tcgCpu: 'max', qemuBinary: '/opt/q', sshUser: 'cloud' });
    assert.throws(() => qemuSettingsOf(options({ accel: 'hvf' })), (error: unknown) => error instanceof UsageError && /accel=hvf is not one of auto, kvm, tcg/.test(error.message));
    assert.throws(() => qemuSettingsOf(options({ memory: '1.5' })), /memory=1\.5 is not a whole number ≥ 256/);
    assert.throws(() => qemuSettingsOf(options({ cpus: '0' })), /cpus=0 is not a whole number ≥ 1/);
    assert.throws(() => qemuSettingsOf(options({ socket: '/x' })), /the qemu platform has no setting "socket"/);
  });

  it('keeps every socket path under the 108 bytes a unix socket allows, however long the name', () => {
    const name = `cp-20261202-145818-6e45-12-${'a'.repeat(63 - 27)}`;
    const { socketsDir } = vmPaths(`/home/${'deep/'.repeat(20)}cloudproof/platforms/qemu`, name);
    assert.ok(`${socketsDir}/qga.sock`.length < 108, socketsDir);
    assert.notEqual(vmPaths('/a', name).socketsDir, vmPaths('/b', name).socketsDir, 'two state folders share sockets');
  });

  it('boots the image kernel on the overlay with the seed, the agent port, the monitor and a console file', () => {
    const record: VmRecord = { name: 'vm-1', labels: {}, createdAt: '', imageFingerprint: 'f', accelerator: 'tcg', dir: '/s/instances/vm-1', socketsDir: '/tmp/cloudproof-qemu-1' };
    const args = qemuArgs(record, { kernel: '/i/vmlinuz', initrd: '/i/initrd.img', memoryMiB: 1024, cpus: 2, tcgCpu: 'Nehalem', qemuBinary: 'qemu-system-x86_64' });
    const after = (flag: string): string[] => args.flatMap((arg, at) => (arg === flag ? [args[at + 1] ?? ''] : []));
    assert.deepEqual(after('-accel'), ['tcg,thread=multi']);
    assert.deepEqual(after('-cpu'), ['Nehalem']);
    assert.deepEqual(after('-kernel'), ['/i/vmlinuz']);
    assert.deepEqual(after('-append'), ['root=/dev/vda rw console=ttyS0']);
    assert.deepEqual(after('-drive'), ['file=/s/instances/vm-1/overlay.qcow2,if=virtio,format=qcow2,discard=unmap', 'file=/s/instances/vm-1/seed.iso,if=virtio,format=raw,readonly=on']);
    assert.ok(after('-chardev').includes('socket,id=qga0,path=/tmp/cloudproof-qemu-1/qga.sock,server=on,wait=off'));
    assert.ok(after('-device').includes('virtserialport,chardev=qga0,name=org.qemu.guest_agent.0'));
    assert.ok(after('-chardev').includes('file,id=console0,path=/s/instances/vm-1/console.log'));
    assert.ok(!args.includes('-no-reboot'), 'a VM must be able to reboot itself (power_state)');
    assert.deepEqual(after('-netdev'), ['user,id=net0'], 'a launch served out of band forwards no port');
    const overSsh = qemuArgs({ ...record, transport: 'ssh' }, { kernel: 'k', initrd: 'i', memoryMiB: 512, cpus: 1, tcgCpu: 'Nehalem', qemuBinary: 'q' });
    assert.equal(overSsh[overSsh.indexOf('-netdev') + 1], 'user,id=net0,hostfwd=tcp:127.0.0.1:0-:22');
    const kvm = qemuArgs({ ...record, accelerator: 'kvm' }, { kernel: 'k', initrd: 'i', memoryMiB: 512, cpus: 1, tcgCpu: 'Nehalem', qemuBinary: 'q' });
    assert.deepEqual([kvm[kvm.indexOf('-accel') + 1], kvm[kvm.indexOf('-cpu') + 1]], ['kvm', 'host']);
  });

  it('declares what the conformance suite then expects of it, SSH and out-of-band exec both', () => {
    const expected = expectedOutcomes(qemu.capabilities);
    assert.equal(expected['out-of-band-exec.without-sshd'], 'passed');
    assert.equal(expected['reboot.new-boot-id'], 'passed');
    assert.equal(expected['publish.launches'], 'passed');
    assert.equal(expected['preboot-files.before-first-boot'], 'passed');
    assert.equal(expected['ssh.reachable'], 'passed');
  });
});
