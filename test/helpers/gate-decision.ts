// The gate decision most tests start from: record from the answer after an announcement, pause
// allowed, standard tier; a test names only what it changes. With it, the session settings and
// the gate facts the session tests start from.
import type { GateFacts } from '../../controller/src/domain/pbx-events';
import type { GateDecision, SessionSettings } from '../../controller/src/domain/session-types';

export const SESSION_SETTINGS: SessionSettings = {
  deadlineMs: 10000,
  promptAllowanceMs: 30000,
  dtmfTimeoutMs: 5000,
  finalizeGraceMs: 3000,
  fallback: 'announce-and-record',
  pauseMode: 'silence',
};

export const gateFacts = (over: Partial<GateFacts> = {}): GateFacts => ({
  flow: 'sales',
  applet: 'dial',
  direction: 'inbound',
  from: '3105550100',
  to: '100',
  campaign: null,
  agent: null,
  language: 'en',
  answered: false,
  ...over,
});

export const gateDecision = (over: Partial<GateDecision> = {}): GateDecision => ({
  record: 'from-answer',
  consent: 'announce',
  greeting: { prompt: 'announce', sound: 'callrec/announce', language: 'en' },
  pauseAllowed: true,
  beep: false,
  stereo: false,
  tier: 'standard',
  ...over,
});
