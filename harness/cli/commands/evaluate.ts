import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../context.js';

export function addEvaluateCommand(program: Command, context: CliContext): void {
  program
    .command('evaluate')
    .description('judge an already harvested run again, without booting anything, with the checks, cases and expectations as they are now')
    .argument('<run-dir>', 'a results/<run-id> folder')
    .action(async (runDirArgument) => {
      const [{ evaluateAgain }, { formatSummary, verdictExitCode }] = await Promise.all([import('../../evaluate/again.js'), import('../summary.js')]);
      const again = await evaluateAgain(resolve(runDirArgument), { reporterOutput: 'spec' });
      for (const changed of again.changedCases) context.out(`note: case ${changed.name} changed since the run (${changed.file})`);
      const { manifest, runDir, verdicts, reports } = again;
      context.out(formatSummary({ runId: manifest.runId, runDir, manifest, verdicts, kept: [], interrupted: false }, reports));
      context.out(`run.json, junit.xml, allure-results/ and report.html rewritten in ${again.runDir}`);
      context.exitCode = verdictExitCode(again.manifest.summary);
    });
}
