// `callrec flows import <file>` / `callrec flows export`: the recording rules as YAML.
import fs from 'node:fs';
import { documentFromRuleSet } from '../policy/document';
import { parseRulesYaml, toRulesYaml } from '../policy/flows-yaml';
import type { CliCommand, CliIo } from './io';
import { progressReporter } from './progress';
import { withRulesStore } from './rules-store';

async function importFile(file: string | undefined, io: CliIo): Promise<number> {
  if (!file) {
    io.err('callrec flows import: which file? usage: callrec flows import <file.yaml>');
    return 2;
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`callrec flows import: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return 1;
  }
  const parsed = parseRulesYaml(text, file);
  if (!parsed.ok) {
    for (const line of parsed.errors) io.err(line);
    io.err(`callrec flows import: ${parsed.errors.length} problem(s) in ${file}; nothing imported`);
    return 1;
  }
  return withRulesStore(io, 'flows import', async (store) => {
    const progress = progressReporter(io, { label: 'flows import', unit: 'flows' });
    const n = await store.rules
      .importDocument(parsed.doc, (done, total) => progress.update(done, total))
      .finally(() => progress.stop());
    io.out(
      `imported ${n.flows} flows (${n.applets} applet rules), ${n.campaigns} campaigns and ${n.users === null ? 'no users (users kept)' : `${n.users} users`} from ${file}; rules version ${await store.rules.version()}`,
    );
    return 0;
  });
}

export const flows: CliCommand = {
  summary: 'import or export the recording rules (flows, applets, campaigns, account, users) as YAML',
  usage: 'callrec flows import <file.yaml> | callrec flows export',
  async run(args, io) {
    const [action, file] = args;
    if (action === 'import') return importFile(file, io);
    if (action === 'export') {
      return withRulesStore(io, 'flows export', async (store) => {
        io.out(toRulesYaml(documentFromRuleSet(await store.rules.load())).trimEnd());
        return 0;
      });
    }
    io.err(`callrec flows: unknown action "${action ?? ''}"; use import <file> or export`);
    return 2;
  },
};
