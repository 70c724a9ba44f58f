// Places `callrec test-call`'s call through the installed gate, as a caller would come: a Local
// channel on Asterisk (AMI Originate into [callrec-test-call]), a loopback call on FreeSWITCH (ESL
// originate into the callrec context's callrec_test_call). Both dialplans play a tone after the
// gate for the requested seconds and hang up. Returns the id the controller stores the call under.
import crypto from 'node:crypto';
import type { Config } from '../../config';
import { AmiSession } from '../../pbx/asterisk/ami/session';
import { EslSession } from '../../pbx/freeswitch/esl/session';
import { createLogger } from '../../util/logger';
import { err, ok, type Result } from '../../util/result';

export interface TestCallRequest {
  flow: string;
  applet: string;
  seconds: number;
}
export interface PlacedCall {
  pbxCallId: string;
  how: string;
}

const TIMEOUT_MS = 5000;

async function placeOnAsterisk(cfg: Config, req: TestCallRequest): Promise<Result<PlacedCall, string>> {
  const ami = await AmiSession.open(cfg.ami, () => {}, TIMEOUT_MS, 'off');
  if (!ami.ok) return err(`AMI: ${ami.error}`);
  // ;2 is the half that runs the dialplan (and the gate): its id is the one the controller stores.
  const caller = crypto.randomUUID();
  const gated = crypto.randomUUID();
  try {
    const r = await ami.value.send(
      'Originate',
      {
        Channel: 'Local/s@callrec-test-call',
        ChannelId: caller,
        OtherChannelId: gated,
        Application: 'Wait',
        Data: String(req.seconds + 30),
        CallerID: '"callrec test-call" <callrec-test>',
        Variable: `CALLREC_TEST_FLOW=${req.flow},CALLREC_TEST_APPLET=${req.applet},CALLREC_TEST_SECONDS=${req.seconds}`,
        Async: 'true',
      },
      TIMEOUT_MS,
    );
    if (!r.ok) return err(`AMI Originate: ${r.error.detail}`);
    return ok({ pbxCallId: gated, how: `Local/s@callrec-test-call (channel ${gated})` });
  } finally {
    ami.value.close('test call placed');
  }
}

/** A flow or applet name goes into the loopback destination: keep it to what an extension holds. */
const SAFE = /^[A-Za-z0-9_.-]+$/;

async function placeOnFreeswitch(cfg: Config, req: TestCallRequest): Promise<Result<PlacedCall, string>> {
  if (!SAFE.test(req.flow) || !SAFE.test(req.applet))
    return err('on FreeSWITCH --flow and --applet may hold letters, digits, _ . - only');
  const logger = createLogger({ level: 'error', format: 'json' });
  const s = await EslSession.connect({
    ...cfg.esl,
    logger,
    connectTimeoutMs: TIMEOUT_MS,
    commandTimeoutMs: TIMEOUT_MS,
  });
  if (!s.ok) return err(`ESL: ${s.error.detail}`);
  const caller = crypto.randomUUID();
  try {
    const dest = `callrec_test_call+${req.flow}+${req.applet}+${req.seconds}`;
    // bgapi: originate answers only once the far leg answers, which the gate may hold for a while.
    const job = s.value.bgapi(
      `originate {origination_uuid=${caller},origination_caller_id_number=callrec-test}loopback/${dest}/callrec &park()`,
      (req.seconds + 60) * 1000,
    );
    // The loopback's other leg runs the dialplan and the gate: the controller stores that uuid.
    const until = Date.now() + TIMEOUT_MS;
    while (Date.now() < until) {
      const other = await s.value.api(`uuid_getvar ${caller} other_loopback_leg_uuid`, TIMEOUT_MS);
      const gated = other.ok ? other.value.trim() : '';
      if (/^[0-9a-f-]{36}$/.test(gated)) return ok({ pbxCallId: gated, how: `loopback/${dest} (channel ${gated})` });
      await new Promise((r) => setTimeout(r, 100));
    }
    const failed = await Promise.race([job, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
    return err(
      `the test call did not start: ${failed === null ? 'no loopback leg within 5 s' : failed.ok ? failed.value.trim() : failed.error.detail}`,
    );
  } finally {
    s.value.close('test call placed');
  }
}

export function placeTestCall(cfg: Config, req: TestCallRequest): Promise<Result<PlacedCall, string>> {
  return cfg.pbx === 'freeswitch' ? placeOnFreeswitch(cfg, req) : placeOnAsterisk(cfg, req);
}
