// Request and response schemas shared by the routers. Request schemas are strict: an unknown
// field is a 400 naming it (a typo in a filter must not silently widen a search).
import { z } from 'zod';
import { ROLES } from '../domain/api-keys';
import type { ConsentOutcome } from '../domain/records';

export const ErrorBody = z
  .object({
    error: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), problem: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});
export const jsonResponse = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Ids are positive integers: anything else (`../x`, `1/..`, `1 or 1=1`) is a 400 before any lookup. */
export const IdParam = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, { error: 'must be a positive integer' })
    .transform(Number),
});

export const RECORDING_STATES = [
  'pending',
  'recording',
  'paused',
  'finalizing',
  'completed',
  'failed',
  'purging',
  'purged',
] as const;
export const DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
export const TIERS = ['standard', 'extended'] as const;
/** Every outcome a call's consent can end in, in the order filters and the compliance report show them. */
export const CONSENT_OUTCOMES = [
  'not-required',
  'announced',
  'accepted',
  'declined',
  'opted-out',
  'hung-up',
  'timeout',
  'fallback',
] as const satisfies readonly ConsentOutcome[];

const name64 = z.string().min(1).max(64);
const isoDate = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-11-22T10:00:00Z' })
  .transform((s) => new Date(s));

/** A litigation case reference: what a hold is for, what a search by case and a release name. */
export const CaseRef = z
  .string()
  .min(1, { error: 'is required: a case reference such as C-17' })
  .max(64, { error: 'must be at most 64 characters' })
  .regex(/^[\p{L}\p{N}\p{P}\p{S}]([\p{L}\p{N}\p{P}\p{S} ]*[\p{L}\p{N}\p{P}\p{S}])?$/u, {
    error: 'must be printable: letters, digits, punctuation, and spaces only between them',
  })
  .meta({ description: 'A litigation case reference, compared exactly (C-17 is not c-17)' });

export const SearchQuery = z.strictObject({
  number: z
    .string()
    .max(40)
    .regex(/^\+?[0-9()\-. ]*[0-9][0-9()\-. ]*$/, {
      error: 'must be a phone number: digits, optional leading +, spaces ( ) - .',
    })
    .optional()
    .meta({ description: 'Any form of a number (E.164, national, with punctuation); matches caller or callee' }),
  direction: z.enum(DIRECTIONS).optional(),
  agent: name64.optional(),
  flow: name64.optional(),
  campaign: name64.optional(),
  consent: z.enum(CONSENT_OUTCOMES).optional().meta({ description: "The call's consent outcome" }),
  state: z.enum(RECORDING_STATES).optional(),
  tier: z.enum(TIERS).optional(),
  case: CaseRef.optional().meta({ description: 'Held under this litigation case' }),
  from: isoDate.optional().meta({ description: 'Started at or after (inclusive)' }),
  to: isoDate.optional().meta({ description: 'Started before (exclusive)' }),
  sort: z.enum(['desc', 'asc']).default('desc'),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: 'must be an integer from 1 to 200' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, { error: 'must be an integer from 1 to 200' })
    .optional(),
  cursor: z.string().max(200).optional().meta({ description: 'nextCursor of the previous page' }),
});

export const Recording = z
  .object({
    id: z.number().int(),
    callId: z.number().int(),
    state: z.enum(RECORDING_STATES),
    recordMode: z.string(),
    tier: z.enum(TIERS),
    channels: z.number().int(),
    direction: z.enum(DIRECTIONS),
    from: z.string().nullable(),
    to: z.string().nullable(),
    agent: z.string().nullable(),
    flow: z.string().nullable(),
    campaign: z.string().nullable(),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    pausedMs: z.number(),
    sizeBytes: z.number().nullable(),
    sha256: z.string().nullable(),
    failureReason: z.string().nullable(),
    retainUntil: z.string().nullable(),
    onHold: z.boolean(),
    holdReason: z.string().nullable(),
    holdCase: z.string().nullable(),
    purgedAt: z.string().nullable(),
  })
  .meta({ id: 'Recording' });

export const SearchPage = z
  .object({ items: z.array(Recording), nextCursor: z.string().nullable() })
  .meta({ id: 'RecordingPage' });

export const Reason = z.string().trim().min(1).max(255);
export const HoldBody = z.strictObject({ reason: Reason });
export const ReleaseBody = z.strictObject({ reason: Reason });
export const DeleteBody = z.strictObject({ reason: Reason.optional() });
export const TierBody = z.strictObject({ tier: z.enum(TIERS) });
export const DeleteMonthBody = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month as YYYY-MM' }),
  reason: Reason,
});
export const AudioQuery = z.strictObject({
  download: z.enum(['0', '1']).optional(),
  token: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'From POST /api/recordings/{id}/audio-token, instead of the Authorization header' }),
});

export const RoleEnum = z.enum(ROLES);
