// Commands a CallSession asks the PBX adapter to carry out.
interface Base { callId: string }

export type Command =
  | (Base & { type: 'Answer' })
  | (Base & { type: 'Play'; promptId: string; sound: string; early: boolean })
  | (Base & { type: 'StopPrompt'; promptId: string })
  | (Base & { type: 'SetDecision'; variables: Record<string, string> })
  | (Base & { type: 'Continue' })
  | (Base & { type: 'StartRecording'; file: string; options: string })
  | (Base & { type: 'PauseRecording'; mode: 'silence' | 'skip' })
  | (Base & { type: 'ResumeRecording'; mode: 'silence' | 'skip' })
  | (Base & { type: 'StopRecording' })
  | (Base & { type: 'Hangup' });

export type CommandType = Command['type'];
