// Channel variables and user events shared by dialplan/asterisk/*.conf and the ARI adapter.
// Change a name here and in the dialplan together.
export const VAR = {
  /** Set by the controller: "record" (dialplan starts MixMonitor) or "skip". */
  ACTION: 'CALLREC_ACTION',
  /** Full path of the recording as Asterisk sees it. */
  FILE: 'CALLREC_FILE',
  /** MixMonitor options the controller spelled from its recorder spec (mixmonitor-options.ts). */
  OPTIONS: 'CALLREC_OPTIONS',
  /** Receives the MixMonitor id through the i() option: StopMixMonitor needs it. */
  MIXMON_ID: 'CALLREC_MIXMON_ID',
  /** callrec's own call id (calls.id), for adoption after a restart. */
  CALL_ID: 'CALLREC_CALL_ID',
  /** "1" once the controller decided; unset means the gate fell back in dialplan. */
  DECIDED: 'CALLREC_DECIDED',
  /** Global: what the dialplan does when the controller is unreachable. */
  FALLBACK: 'CALLREC_FALLBACK',
  /** Global: recordings root as Asterisk sees it (for fallback file names). */
  DIR: 'CALLREC_DIR',
  /** Set by MixMonitor itself once it writes: the proof a recording started. */
  MIXMONITOR_FILENAME: 'MIXMONITOR_FILENAME',
  /** Stasis() outcome: SUCCESS, or FAILED when no app was connected. */
  STASISSTATUS: 'STASISSTATUS',
} as const;

/** UserEvent(CallrecFeature,action: pause|resume|start|stop) from the feature codes. */
export const FEATURE_USER_EVENT = 'CallrecFeature';

/**
 * Arguments of Stasis(<app>,gate,<flow>,<applet>,<direction>,<campaign>,<agent>,<to>,<contract>):
 * the gate's own Gosub arguments, the dialed number it read from the calling frame (or
 * CALLREC_TO), then the version of the gate contract the dialplan running the call implements
 * (2: it takes the decision in continue; absent: an older install).
 */
export const GATE_ARG = 'gate';
export const GATE_ARGS = ['gate', 'flow', 'applet', 'direction', 'campaign', 'agent', 'to', 'contract'] as const;
