// `callrec explain`: what the policy decides for a call, and why. Goes through the same
// RulesService.engine().decide() as the gate, so the answer is the gate's answer.
import { parseArgs } from 'node:util';
import { policySettings, RulesService, tierLength, triedCallFacts } from '../policy/service';
import type { CallFacts, Decision } from '../policy/types';
import type { CliCommand } from './io';
import { answerPreview, type UserModeOutcome } from '../domain/user-mode';
import { withRulesStore } from './rules-store';

const DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
const OPTIONS = {
  flow: { type: 'string' },
  applet: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  direction: { type: 'string' },
  campaign: { type: 'string' },
  language: { type: 'string' },
  agent: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function render(f: CallFacts, d: Decision, tierDays: string): string[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const g = d.greeting ? `${d.greeting.sound} (${d.greeting.language})` : 'none';
  return [
    `call           ${[f.direction, f.campaign && `campaign ${f.campaign}`, f.agent && `agent ${f.agent}`].filter(Boolean).join(', ')}`,
    `record         ${d.record}`,
    `consent        ${d.consent}`,
    `greeting       ${g}`,
    `pause allowed  ${yes(d.pauseAllowed)}`,
    `beep           ${yes(d.beep)}`,
    `stereo         ${yes(d.stereo)}`,
    `tier           ${d.tier} (${tierDays})`,
    `numbers        ${d.from ?? 'withheld'} -> ${d.to ?? 'withheld'}`,
    `jurisdictions  ${d.jurisdictions.length ? d.jurisdictions.join(', ') : 'none'}`,
    ...(d.placed ?? []).map((p, i) => `${i === 0 ? 'placed        ' : '              '} ${p}`),
    'reasons:',
    ...d.reasons.map((r, i) => `  ${i + 1}. ${r}`),
  ];
}

const ACTIONS: Record<UserModeOutcome['action'], string> = {
  start: 'recording starts at the answer',
  keep: "the gate's recording goes on",
  wait: 'recorded only from *44 (or the API)',
  none: 'not recorded',
};

function renderTaken(agent: string, o: UserModeOutcome, tierDays: string): string[] {
  return [
    `when agent ${agent} answers (a caller who declined is never recorded):`,
    `  then         ${ACTIONS[o.action]}`,
    `  pause        ${o.pauseAllowed ? 'allowed' : 'not allowed'}`,
    `  tier         ${o.tier} (${tierDays})`,
    ...o.reasons.map((r, i) => `  ${i + 1}. ${r}`),
  ];
}

export const explain: CliCommand = {
  summary: "show what the policy decides for a call, and why (the gate's own decision)",
  usage:
    'callrec explain --flow <f> --applet <a> --from <n> --to <n> [--direction inbound|outbound|internal] [--campaign c] [--language l] [--agent x] [--json]',
  async run(args, io) {
    let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>>['values'];
    try {
      ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
    } catch (e) {
      io.err(`callrec explain: ${(e as Error).message}`);
      return 2;
    }
    const direction = values.direction ?? 'inbound';
    if (!(DIRECTIONS as readonly string[]).includes(direction)) {
      io.err(`callrec explain: --direction must be one of ${DIRECTIONS.join(', ')}, not "${direction}"`);
      return 2;
    }
    return withRulesStore(io, 'explain', async (store, cfg) => {
      const facts = triedCallFacts(cfg.pbx, direction as CallFacts['direction'], values);
      const engine = await new RulesService(store.rules, policySettings(cfg)).engine();
      const d = engine.decide(facts);
      const tierDays = tierLength(d.tier, cfg.retention);
      const taken = answerPreview(facts.direction, d, engine.user(facts.agent ?? ''));
      if (values.json) io.out(JSON.stringify(taken ? { ...d, atAnswer: taken } : d, null, 2));
      else {
        for (const line of render(facts, d, tierDays)) io.out(line);
        if (taken)
          for (const line of renderTaken(facts.agent ?? '', taken, tierLength(taken.tier, cfg.retention))) io.out(line);
        else if (facts.agent && facts.direction !== 'outbound')
          io.out(`agent ${facts.agent} is not a configured user: the gate's decision stands when they answer`);
      }
      return 0;
    });
  },
};
