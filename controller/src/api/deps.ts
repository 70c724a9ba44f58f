import type { CountryCode } from 'libphonenumber-js';
import type { LiveCallControl } from '../calls/live';
import type { Keyring } from '../recordings/keyring';
import type { RetentionActions } from '../retention/actions';
import type { Store } from '../store';
import type { Logger } from '../util/logger';
import type { WebhookPublisher } from '../webhooks/publisher';
import type { AuthLimits } from './auth';

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
}
