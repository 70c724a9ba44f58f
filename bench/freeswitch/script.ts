// The gate's command sequence as the controller sent it in one call, replayed by the other rows so
// each row does the same commands: apps in the controller's order, consecutive `set`s in one burst
// (GatedCall.setVariables pipelines them), `playback` waited for until its completion (the
// session releases the call on PromptFinished), every other app until its +OK, then `exit`.
import type { ExecutedApp } from '../../test/helpers/freeswitch/esl-outbound-driver';

export interface Step {
  /** Sent together; the step ends when every reply (and, for `complete`, the completion) is in. */
  apps: ExecutedApp[];
  wait: 'reply' | 'complete';
}

export function toSteps(apps: readonly ExecutedApp[]): Step[] {
  const steps: Step[] = [];
  for (const a of apps) {
    const last = steps[steps.length - 1];
    if (a.app === 'set' && last?.apps[0]?.app === 'set') last.apps.push(a);
    else steps.push({ apps: [a], wait: a.app === 'playback' ? 'complete' : 'reply' });
  }
  return steps;
}

/** The sequence without per-call values (file names, call ids), for comparing rows. */
export function shape(apps: readonly ExecutedApp[]): string {
  return apps.map((a) => `${a.app}${a.app === 'set' ? ` ${a.arg.split('=')[0] ?? ''}` : ''}`).join(', ');
}

export function describeSteps(steps: readonly Step[]): string {
  return steps
    .map((s) =>
      s.apps.length > 1
        ? `${s.apps.length} x ${s.apps[0]?.app ?? ''}`
        : `${s.apps[0]?.app ?? ''}${s.wait === 'complete' ? ' (until complete)' : ''}`,
    )
    .join(' -> ');
}
