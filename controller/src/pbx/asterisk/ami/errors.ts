// The one place AMI failures become PbxError kinds, by the reply's Message (Asterisk's AMI has no
// error codes). Messages are those of app_mixmonitor.c and manager.c in Asterisk 22.
import type { PbxError } from '../../port';
import type { AmiMessage } from './wire';

const NOT_FOUND = [
  'No such channel',
  // StopMixMonitor / MixMonitorMute on a channel with no (or no such) MixMonitor running.
  'Could not stop monitoring channel',
  'Cannot set mute flag',
];

export function amiReplyError(action: string, reply: AmiMessage): PbxError | null {
  if ((reply.Response ?? '').toLowerCase() === 'success') return null;
  const message = reply.Message ?? `Response: ${reply.Response ?? '(none)'}`;
  const kind = NOT_FOUND.some((m) => message.startsWith(m)) ? 'not-found' : 'rejected';
  return { kind, detail: `AMI ${action}: ${message}` };
}

export const amiTimeout = (action: string, ms: number): PbxError => ({
  kind: 'timeout',
  detail: `AMI ${action}: no reply within ${ms} ms`,
});

export const amiDisconnected = (action: string, why: string): PbxError => ({
  kind: 'disconnected',
  detail: `AMI ${action}: ${why}`,
});
