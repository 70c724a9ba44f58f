// Normalized PBX events: what an adapter makes of ARI/AMI/ESL wire events. Names follow the
// domain, not the wire; wire names stay inside pbx/<kind>/.
export interface GateFacts {
  flow: string;
  applet: string;
  direction: 'inbound' | 'outbound' | 'internal';
  from: string | null;
  to: string | null;
  campaign: string | null;
  agent: string | null;
  language: string | null;
  answered: boolean;
}

interface Base { callId: string; at: Date }

export type PbxEvent =
  | (Base & { type: 'GateEntered'; facts: GateFacts })
  | (Base & { type: 'CallAnswered' })
  | (Base & { type: 'DtmfReceived'; digit: string })
  | (Base & { type: 'PromptFinished'; promptId: string })
  | (Base & { type: 'RecordingStarted'; file: string; recorderId: string | null })
  | (Base & { type: 'RecordingStopped'; file: string | null })
  | (Base & { type: 'FeatureRequested'; action: 'pause' | 'resume' | 'start' | 'stop'; by: string | null })
  | (Base & { type: 'PartyChanged'; kind: 'answered' | 'transfer' | 'left'; party: string | null })
  | (Base & { type: 'CallHungUp'; cause: string | null })
  | (Base & { type: 'CallGone' });

export type PbxEventType = PbxEvent['type'];
