import type { Config } from '../config/types';
import type { Logger } from '../util/logger';
import { AsteriskAdapter } from './asterisk/adapter';
import { FreeswitchAdapter } from './freeswitch/adapter';
import type { PbxPort } from './port';

export function createPbxPort(cfg: Config, logger: Logger): PbxPort {
  return cfg.pbx === 'asterisk' ? new AsteriskAdapter(cfg, logger) : new FreeswitchAdapter(cfg, logger);
}
