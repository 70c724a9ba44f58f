// Channel variables and event names shared by dialplan/freeswitch/*.xml and the ESL adapter.
// Change a name here and in the dialplan together.
export const VAR = {
  /** Set by the applet snippet before `socket`: which flow and applet the call is at. */
  FLOW: 'callrec_flow',
  APPLET: 'callrec_applet',
  /** Optional facts the admin's dialplan may set for the policy. */
  DIRECTION: 'callrec_direction',
  CAMPAIGN: 'callrec_campaign',
  AGENT: 'callrec_agent',
  LANGUAGE: 'callrec_language',
  /** The dialed number when the caller profile's destination is not it (a transfer, a lua script). */
  TO: 'callrec_to',
  /** Set by the controller once it decided ("true"); unset means the dialplan applies the fallback. */
  DECIDED: 'callrec_decided',
  /** Set by the controller: "record" or "skip" (read by people and the fallback, not needed to record). */
  ACTION: 'callrec_action',
  /** The recording's final path as FreeSWITCH sees it. */
  FILE: 'callrec_file',
  /** callrec's own call id (calls.id), for adoption after a restart. */
  CALL_ID: 'callrec_call_id',
  /** Global: what the dialplan does when the controller is unreachable. */
  FALLBACK: 'callrec_fallback',
  /** Global: the recordings root as FreeSWITCH sees it (fallback file names). */
  DIR: 'callrec_dir',
  /** Where play_and_get_digits leaves the digit. */
  DIGIT: 'callrec_digit',
  /**
   * FreeSWITCH's own: stereo recording. Measured on 1.10.12 (test/realpbx/freeswitch-acceptance):
   * left = what the switch reads from the recorded channel (the caller), right = what it writes to
   * it (the other party), as MixMonitor's D on Asterisk.
   */
  RECORD_STEREO: 'RECORD_STEREO',
  /** FreeSWITCH's own: the recorder takes frames only while the channel is bridged. */
  RECORD_BRIDGE_REQ: 'RECORD_BRIDGE_REQ',
  /** FreeSWITCH's own: an app to run when the channel is answered (literal arguments only). */
  EXECUTE_ON_ANSWER: 'execute_on_answer',
  /** Prefix of the beep's tones to start at answer (the switch runs every execute_on_answer* variable). */
  EXECUTE_ON_ANSWER_BEEP: 'execute_on_answer_callrec_beep_',
} as const;

/** CUSTOM event fired by the feature codes (*48/*49/*44) with header FEATURE_HEADER = action. */
export const FEATURE_SUBCLASS = 'callrec::feature';
export const FEATURE_HEADER = 'callrec_feature';

/** What the watching connection subscribes to (RECORD_* are not in `myevents`: name them). */
export const WATCH_EVENTS = [
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_HANGUP',
  'CHANNEL_DESTROY',
  'DTMF',
  'RECORD_START',
  'RECORD_STOP',
  // The end of a re-announcement (announcements.ts); other playbacks' are dropped quietly.
  'PLAYBACK_STOP',
] as const;
