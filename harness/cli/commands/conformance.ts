import { writeFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import type { RuleResult } from '../../../platforms/conformance/index.js';
import type { CliContext } from '../context.js';
import { collect } from '../options.js';
import { loadPlatformDriver, platformOptionsOf } from '../platform-flags.js';

export function addConformanceCommand(program: Command, context: CliContext): void {
  platformOptionsOf(program.command('conformance').description("check a platform driver against the platform standard on the real platform, rule by rule, and keep the result for `harness platforms`"))
    .option('--image <ref>', 'the image to launch: `debian/bookworm` (the harness-built one), or any ref the platform resolves', 'cloudproof/debian/bookworm')
    .option('--rule <id>', 'check only this rule (repeatable)', collect, [] as string[])
    .option('--output <file>', 'also write the result (JSON) here')
    .action(async (flags) => {
      const { runConformance, writeConformanceResult } = await import('../../../platforms/conformance/index.js');
      const { driver, options, choice } = await loadPlatformDriver(context, flags);
      const result = await runConformance({
        driver,
        choice,
        options,
        image: flags.image,
        log: (line) => context.err(`  ${line}`),
        signal: context.signal,
        ...(flags.rule.length > 0 ? { only: flags.rule } : {}),
        onResult: (rule) => context.out(ruleLine(rule)),
      });
      const saved = await writeConformanceResult(context.config.cacheDir, result);
      if (flags.output !== undefined) await writeFile(flags.output, `${JSON.stringify(result, null, 2)}\n`);
      for (const failure of result.cleanupFailures) context.err(`! not removed: ${failure}`);
      const count = (outcome: RuleResult['outcome']): number => result.rules.filter((rule) => rule.outcome === outcome).length;
      const failed = count('failed');
      const seconds = Math.round((Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000);
      context.out(
        `${driver.name}: ${count('passed')} passed, ${failed} failed, ${count('not-declared')} not declared, ${count('unchecked')} unchecked in ${seconds} s` +
          `${result.cleanupFailures.length > 0 ? `; ${result.cleanupFailures.length} thing(s) left behind` : ''} (result: ${saved})`,
      );
      // Something the suite could not remove is a broken contract too, and it needs a person.
      if (failed > 0 || result.cleanupFailures.length > 0) context.exitCode = 1;
    });
}

function ruleLine(rule: RuleResult): string {
  const detail = rule.detail === undefined ? '' : ` — ${rule.detail}`;
  switch (rule.outcome) {
    case 'passed':
      return `✓ ${rule.id}  ${rule.title} (${rule.ms} ms)${detail}`;
    case 'failed':
      return `✗ ${rule.id}  ${rule.title} (${rule.ms} ms)${detail}`;
    case 'not-declared':
      return `- ${rule.id}  not declared`;
    case 'unchecked':
      return `? ${rule.id}  unchecked${detail}`;
  }
}
