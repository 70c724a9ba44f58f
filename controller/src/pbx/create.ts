import type { Config } from '../config/types';
import type { Logger } from '../util/logger';
import type { MixMonitorControl } from './asterisk/mixmonitor-control';
import type { PbxPort } from './port';

/**
 * Only the configured PBX's adapter is loaded: a controller never needs the other's client in
 * memory (modesl weighs ~9.5 MB of RSS; soak bench).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on use, see above */
export function createPbxPort(cfg: Config, logger: Logger, parts: { mixmon?: MixMonitorControl } = {}): PbxPort {
  if (cfg.pbx === 'asterisk') {
    const { AsteriskAdapter } = require('./asterisk/adapter') as typeof import('./asterisk/adapter');
    const { NO_AMI } = require('./asterisk/no-ami') as typeof import('./asterisk/no-ami');
    return new AsteriskAdapter(cfg, logger, { mixmon: parts.mixmon ?? NO_AMI });
  }
  const { FreeswitchAdapter } = require('./freeswitch/adapter') as typeof import('./freeswitch/adapter');
  return new FreeswitchAdapter(cfg, logger);
}
