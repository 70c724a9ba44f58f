// The words the whole controller shares, each declared once: config, domain, adapters, API and
// store all import them from here. The arrays serve parsers (config, API, wire events); the types
// come from them.

/** Which PBX a controller drives (and which one a call, a rule or a metric is about). */
export const PBX_KINDS = ['asterisk', 'freeswitch'] as const;
export type PbxKind = (typeof PBX_KINDS)[number];

/** How a pause is written: silence in the file (its timeline kept), or nothing (the file is shorter). */
export const PAUSE_MODES = ['silence', 'skip'] as const;
export type PauseMode = (typeof PAUSE_MODES)[number];

/** What a gate that cannot decide does: the dialplan's own announcement and recording, record, or skip. */
export const FALLBACKS = ['announce-and-record', 'record', 'skip'] as const;
export type Fallback = (typeof FALLBACKS)[number];

/** What may be done to a live call's recording: by a feature code, or through the API. */
export const FEATURE_ACTIONS = ['pause', 'resume', 'start', 'stop'] as const;
export type FeatureAction = (typeof FEATURE_ACTIONS)[number];

export const isFeatureAction = (v: string): v is FeatureAction => (FEATURE_ACTIONS as readonly string[]).includes(v);

/**
 * Why the PBX did not carry out a command: the call is not there, no answer in time, the PBX
 * refused, or the connection to it is down. The session reacts to these, never to the detail text.
 */
export type PbxErrorKind = 'not-found' | 'timeout' | 'rejected' | 'disconnected';
