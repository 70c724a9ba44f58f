import type { CountryCode } from 'libphonenumber-js';
import type { LiveCallControl } from '../calls/live';
import type { TierLengths } from '../domain/tiers';
import type { PbxKind } from '../domain/vocabulary';
import type { PolicyEngine } from '../policy/types';
import type { Keyring } from '../recordings/keyring';
import type { RetentionActions } from '../retention/actions';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import type { WebhookPublisher } from '../webhooks/publisher';
import type { AuthLimits } from './auth';

/** The gate's own policy, for "try a call" (POST /api/rules/try). */
export interface PolicyAccess {
  pbx: PbxKind;
  tierLengths: TierLengths;
  engine(): Promise<PolicyEngine>;
}

/** Everything the API needs, injected: the routers import no concrete PBX, retention or worker. */
export interface ApiDeps {
  store: Store;
  logger: Logger;
  recordingsDir: string;
  defaultCountry: CountryCode;
  bodyLimitBytes: number;
  costPerMinute: number;
  live: LiveCallControl;
  retention: RetentionActions;
  webhooks: WebhookPublisher;
  authLimits?: AuthLimits;
  /** Master keys that open encrypted recordings; null when encryption at rest is off. */
  keyring?: Keyring | null;
  /** Default: a policy over the store's rules with the built-in settings. */
  policy?: PolicyAccess;
}
