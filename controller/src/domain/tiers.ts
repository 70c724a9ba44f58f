// Retention tiers: how long a recording is kept after it ends. Pure.
import type { Tier } from './records';

export interface TierLengths {
  standardDays: number;
  extendedYears: number;
}

export const DEFAULT_TIER_LENGTHS: TierLengths = { standardDays: 180, extendedYears: 7 };

/**
 * The end of a recording's retention. The extended tier counts calendar years (a recording that
 * ends on 29 Feb is kept until 1 Mar, never less than the full term).
 */
export function retainUntil(endedAt: Date, tier: Tier, lengths: TierLengths = DEFAULT_TIER_LENGTHS): Date {
  const d = new Date(endedAt.getTime());
  if (tier === 'extended') {
    const month = d.getUTCMonth();
    d.setUTCFullYear(d.getUTCFullYear() + lengths.extendedYears);
    if (d.getUTCMonth() !== month) d.setUTCDate(1); // rolled past a missing 29 Feb: 1 Mar
    return d;
  }
  return new Date(d.getTime() + lengths.standardDays * 86_400_000);
}
