import type { Command } from '@commander-js/extra-typings';
import { PROOF_TESTCASES_DIR } from '../../../testcases/location.js';
import type { CliContext } from '../context.js';
import { collect } from '../options.js';
import { platformOptionsOf } from '../platform-flags.js';
import { runAndReport } from './run.js';

export function addProofCommand(program: Command, context: CliContext): void {
  platformOptionsOf(program.command('proof'))
    .description(
      'proof an image before publishing it, with no build injected: clean cloud-init boot, no SSH host keys, machine-id, ' +
        'instance data, logs, root password, shell history or package caches baked in, a datasource list that fits the platform',
    )
    .requiredOption('-i, --image <ref>', 'the image to proof (repeatable)', collect, [] as string[])
    .option('-e, --expectations <file>', 'facts about your image (e.g. `datasources` the platform offers), applied after ours', collect, [] as string[])
    .option('-r, --results <dir>', 'where <run-id>/ with junit.xml and report.html is written', 'results')
    .action((options) =>
      runAndReport(context, {
        platform: options.platform,
        platformModule: options.platformModule,
        platformOption: options.platformOption,
        image: options.image,
        release: [],
        testcases: [PROOF_TESTCASES_DIR],
        results: options.results,
        tag: [],
        excludeTag: [],
        expectations: options.expectations,
        build: 'none',
        keepFailed: false,
        verbose: false,
      }),
    );
}
