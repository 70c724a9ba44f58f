// The domain's event types as this adapter needs them, in one place: when the port's events are
// revised (GateEntered gains problem/swept, FeatureAction is exported), only this file changes.
export type { GateFacts, PbxEvent } from '../../domain/pbx-events';
import type { PbxEvent } from '../../domain/pbx-events';

export type FeatureAction = Extract<PbxEvent, { type: 'FeatureRequested' }>['action'];
