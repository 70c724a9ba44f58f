export { AmiClient, type AmiClientOptions } from './client';
export { AmiMixMonitorControl, type AmiActions } from './mixmonitor';
export { toAmiEvent, type AmiEvent, type AmiEventType } from './events';
export { AmiParser, formatAction, type AmiMessage, type AmiFields } from './wire';
