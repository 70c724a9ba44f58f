import type { Config } from '../config/types';
import type { Logger } from '../util/logger';
import { AsteriskAdapter } from './asterisk/adapter';
import type { MixMonitorControl } from './asterisk/mixmonitor-control';
import { NO_AMI } from './asterisk/no-ami';
import { FreeswitchAdapter } from './freeswitch/adapter';
import type { PbxPort } from './port';

export function createPbxPort(cfg: Config, logger: Logger, parts: { mixmon?: MixMonitorControl } = {}): PbxPort {
  return cfg.pbx === 'asterisk'
    ? new AsteriskAdapter(cfg, logger, { mixmon: parts.mixmon ?? NO_AMI })
    : new FreeswitchAdapter(cfg, logger);
}
