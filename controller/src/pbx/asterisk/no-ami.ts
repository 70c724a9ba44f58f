// Stands in for the AMI client until one is wired: every recorder action answers "disconnected",
// so pause/resume/start report a clear error instead of pretending.
import { err } from '../../util/result';
import type { MixMonitorControl } from './mixmonitor-control';

export const NO_AMI: MixMonitorControl = {
  mute: async () => err({ kind: 'disconnected', detail: 'AMI client not available' }),
  stop: async () => err({ kind: 'disconnected', detail: 'AMI client not available' }),
  start: async () => err({ kind: 'disconnected', detail: 'AMI client not available' }),
};
