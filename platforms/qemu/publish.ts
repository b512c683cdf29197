import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, HarnessError } from '../../core/errors.js';
import { runTool } from '../../core/host/run-tool.js';
import type { ImageInfo, PublishSpec } from '../types.js';
import { sha256File } from '../../core/host/sha256-file.js';
import type { QemuImageStore } from './image-store.js';
import { isRunning, VM_FILES, VM_SOCKETS, type VmRecord } from './instance-record.js';
import { qmpCommand } from './qmp.js';
import { consoleTail } from './vm.js';

export interface PublishVmOptions {
  readonly images: QemuImageStore;
  /** How long the guest may take to power off once asked. */
  readonly powerOffTimeoutMs: number;
  /** How long to wait before pressing the power button again (default PRESS_AGAIN_MS). */
  readonly pressAgainMs?: number;
}

/** Beside the VM's other files, so that a run killed mid-publish leaves nothing that removing the VM does not remove. */
const WORK_DIR = 'publish';
const POLL_MS = 250;
/** A press the guest was not yet listening for (logind still picking up its input devices, in a boot under way) is lost: press again. */
const PRESS_AGAIN_MS = 20_000;

/**
 * Instance.publish() on qemu: the guest powered off cleanly, then its overlay flattened
 * into a qcow2 of its own, so that the new image outlives the base it came from, booted
 * with the base's kernel and initrd. As on LXD the VM is left stopped, its files in place
 * until it is deleted, and the aliases move to the new image.
 */
export async function publishVm(record: VmRecord, spec: PublishSpec, options: PublishVmOptions): Promise<ImageInfo> {
  const base = await options.images.paths(record.imageFingerprint);
  if (base === undefined) {
    throw new HarnessError('IMAGE_NOT_FOUND', `cannot publish ${record.name}: its image ${record.imageFingerprint}, whose kernel and initrd it boots, is gone`, { hint: 'publish from a VM whose image is still in the store' });
  }
  await powerOff(record, options.powerOffTimeoutMs, options.pressAgainMs ?? PRESS_AGAIN_MS, spec.signal);
  const work = join(record.dir, WORK_DIR);
  await mkdir(work, { recursive: true });
  try {
    const files = { disk: join(work, 'disk.qcow2'), kernel: join(work, 'vmlinuz'), initrd: join(work, 'initrd.img') };
    // Uncompressed, as disk-image.ts packs: a compressed qcow2 boots slowly under TCG.
    await runTool('qemu-img', ['convert', '-f', 'qcow2', '-O', 'qcow2', join(record.dir, VM_FILES.overlay), files.disk], {
      installHint: 'apt-get install qemu-utils',
      errorCode: 'PLATFORM_API',
      ...(spec.signal === undefined ? {} : { signal: spec.signal }),
    });
    await copyFile(base.kernel, files.kernel);
    await copyFile(base.initrd, files.initrd);
    if (spec.signal?.aborted) throw new AbortedError(`publish of ${record.name}`);
    return await options.images.add({
      files,
      fingerprint: await sha256File(files.disk),
      aliases: spec.aliases,
      properties: spec.properties,
      description: spec.properties.description ?? `published from the qemu VM ${record.name}`,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * An ACPI power-button press (systemd-logind in the guest shuts down), repeated until
 * qemu exits: a guest that has shut down cleanly leaves a filesystem that needs no journal
 * replay, and a press during shutdown changes nothing.
 * A guest that does not power off in time is left running (delete() kills it): its disk
 * is not one to publish.
 */
async function powerOff(record: VmRecord, timeoutMs: number, pressAgainMs: number, signal: AbortSignal | undefined): Promise<void> {
  if (!(await isRunning(record))) return;
  const press = () => qmpCommand(join(record.socketsDir, VM_SOCKETS.qmp), 'system_powerdown');
  await press();
  const deadline = Date.now() + timeoutMs;
  let nextPress = Date.now() + pressAgainMs;
  while (await isRunning(record)) {
    if (signal?.aborted) throw new AbortedError(`power-off of ${record.name}`);
    if (Date.now() > deadline) {
      throw new HarnessError('PLATFORM_API', `${record.name} did not power off within ${Math.round(timeoutMs / 1000)} s of ACPI power-button presses; its console ends: ${await consoleTail(record)}`, {
        hint: 'the guest must act on the power button (systemd-logind does); see its console log',
      });
    }
    if (Date.now() >= nextPress) {
      // qemu may exit between the check and the press: its monitor is gone then, and so is the need.
      await press().catch(async (error: unknown) => {
        if (await isRunning(record)) throw error;
      });
      nextPress = Date.now() + pressAgainMs;
    }
    await sleep(POLL_MS);
  }
}
