import type { Stage } from './definition';
import { nextCampaign, type Position } from './position';

const stage = (name: string, ids: string[]): Stage => ({ name, campaigns: ids.map((id) => ({ id, template: id })) });
const stream = [stage('S1', ['S1C1', 'S1C2']), stage('S2', ['S2C1', 'S2C2']), stage('S3', ['S3C1'])];
const walk = (stages: Stage[], from?: Position, advances?: (s: number) => boolean) => {
  const ids: string[] = [];
  for (let next = nextCampaign(stages, from, advances); next; next = nextCampaign(stages, next.position, advances)) ids.push(next.campaign.id);
  return ids;
};

test('campaigns in order, stage after stage, then exhausted', () => {
  expect(walk(stream)).toEqual(['S1C1', 'S1C2', 'S2C1', 'S2C2', 'S3C1']);
  expect(nextCampaign(stream, { stage: 2, campaign: 'S3C1' })).toBeUndefined();
});

test('appended campaigns and stages reach an exhausted person, from where they were', () => {
  const grown = [stage('S1', ['S1C1', 'S1C2', 'S1C3']), stream[1], stage('S3', ['S3C1', 'S3C2']), stage('S4', ['S4C1'])];
  expect(walk(grown, { stage: 2, campaign: 'S3C1' })).toEqual(['S3C2', 'S4C1']);
  // Someone in stage 2 does not go back for the campaign appended to stage 1.
  expect(walk(grown, { stage: 1, campaign: 'S2C1' })).toEqual(['S2C2', 'S3C1', 'S3C2', 'S4C1']);
});

test('advanceWhen skips the rest of its stage, and a stage whose rule already holds entirely', () => {
  expect(walk(stream, undefined, (s) => s === 0)).toEqual(['S2C1', 'S2C2', 'S3C1']);
  expect(nextCampaign(stream, { stage: 0, campaign: 'S1C1' }, (s) => s === 0)?.campaign.id).toBe('S2C1');
  expect(nextCampaign(stream, { stage: 1, campaign: 'S2C1' }, (s) => s >= 1)).toBeUndefined();
});
