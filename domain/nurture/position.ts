import type { Campaign, Stage } from './definition';

/** Where a person is: the campaign of their last cast, in its stage (by position; stages are only ever appended). */
export interface Position {
  stage: number;
  campaign: string;
}

export interface NextCast {
  /** Index of the stage (0-based). */
  stage: number;
  campaign: Campaign;
  /** The position once it is cast. */
  position: Position;
}

/**
 * The campaign after `after` (the first of the stream without one): the next
 * of its stage, else the first of the next stage. A stage whose `advanceWhen`
 * holds is left at once, its remaining campaigns skipped; none left means the
 * person is exhausted (undefined) until campaigns are appended. Campaigns keep
 * their ids, so appended ones come after the person's place, never before.
 */
export function nextCampaign(stages: readonly Stage[], after: Position | undefined, advances: (stage: number) => boolean = () => false): NextCast | undefined {
  let stage = after?.stage ?? 0;
  let index = 0;
  if (after) {
    const at = stages[stage]?.campaigns.findIndex((c) => c.id === after.campaign) ?? -1;
    index = at < 0 ? Infinity : at + 1;
  }
  for (; stage < stages.length; stage++, index = 0) {
    const campaigns = stages[stage].campaigns;
    if (index < campaigns.length && !advances(stage)) return { stage, campaign: campaigns[index], position: { stage, campaign: campaigns[index].id } };
  }
  return undefined;
}
