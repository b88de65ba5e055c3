import { isDeepStrictEqual } from 'node:util';
import type { NurtureDefinition } from './definition';

export interface EditProblem {
  path: string;
  message: string;
}

/**
 * What an edit of a running stream changes that people already rely on. It
 * may append stages and campaigns (at the end of any stage), rename the
 * stream, and change its cadence and exit rule, which apply from the next
 * cast; the stages and campaigns there are stay as they are, in place.
 */
export function appendOnlyProblems(before: NurtureDefinition, after: NurtureDefinition): EditProblem[] {
  const problems: EditProblem[] = [];
  if (!isDeepStrictEqual(before.entry, after.entry)) problems.push({ path: 'entry', message: 'cannot change while the stream runs' });
  before.stages.forEach((stage, i) => {
    const now = after.stages[i];
    if (!now) return void problems.push({ path: `stages.${i}`, message: `stage '${stage.name}' cannot be removed while the stream runs: only appended to` });
    if (now.name !== stage.name) problems.push({ path: `stages.${i}.name`, message: `was '${stage.name}': existing stages stay as they are while the stream runs` });
    if (!isDeepStrictEqual(now.advanceWhen, stage.advanceWhen)) problems.push({ path: `stages.${i}.advanceWhen`, message: 'cannot change while the stream runs' });
    stage.campaigns.forEach((c, j) => {
      const same = now.campaigns[j];
      if (!same) problems.push({ path: `stages.${i}.campaigns.${j}`, message: `campaign '${c.id}' cannot be removed while the stream runs: only appended to` });
      else if (!isDeepStrictEqual(same, c)) problems.push({ path: `stages.${i}.campaigns.${j}`, message: `campaign '${c.id}' cannot change while the stream runs: append a new campaign instead` });
    });
  });
  return problems;
}

/** Whether an edit added campaigns (people who had everything have something again). */
export function addsCampaigns(before: NurtureDefinition, after: NurtureDefinition): boolean {
  const count = (d: NurtureDefinition) => d.stages.reduce((n, s) => n + s.campaigns.length, 0);
  return count(after) > count(before);
}
