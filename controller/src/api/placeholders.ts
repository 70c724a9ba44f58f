// Stand-ins used by main until the call registry and the retention module are wired in: every
// action answers a clear error instead of the API lacking the routes. TODO(merge): replace in
// main.ts with the registry's LiveCallControl and the retention module's RetentionActions.
import type { LiveCallControl } from '../calls/live';
import type { RetentionActions } from '../retention/actions';
import { err } from '../util/result';

export const liveCallsNotConnected: LiveCallControl = {
  list: () => [],
  get: () => null,
  act: async () => err({ kind: 'pbx', detail: 'live call control is not connected in this build' }),
};

const unavailable = async () => err({ kind: 'conflict' as const, detail: 'retention actions are not available in this build' });

export const retentionNotAvailable: RetentionActions = {
  hold: unavailable, release: unavailable, setTier: unavailable, deleteEarly: unavailable, deleteMonth: unavailable,
};
