import { audienceMessage, followingChanges, seedChanges } from './changes';

const followers = new Map([
  ['seg_pricing', ['linkedin-pricing', 'linkedin-retarget']],
  ['seg_webinar', ['linkedin-webinar']],
]);

test('an entry adds the person to every audience following the segment, an exit removes them; other segments send nothing', () => {
  const orders = followingChanges(
    [
      { segmentId: 'seg_pricing', memberId: 'p_ann', change: 'entered' },
      { segmentId: 'seg_webinar', memberId: 'p_bob', change: 'exited' },
      { segmentId: 'seg_unfollowed', memberId: 'p_cy', change: 'entered' },
    ],
    followers,
    'b1',
  );
  expect(orders).toEqual([
    { id: 'audience:linkedin-pricing:seg_pricing:p_ann:b1', audienceKey: 'linkedin-pricing', personId: 'p_ann', action: 'ADD' },
    { id: 'audience:linkedin-retarget:seg_pricing:p_ann:b1', audienceKey: 'linkedin-retarget', personId: 'p_ann', action: 'ADD' },
    { id: 'audience:linkedin-webinar:seg_webinar:p_bob:b1', audienceKey: 'linkedin-webinar', personId: 'p_bob', action: 'REMOVE' },
  ]);
});

test('the same batch retried gives the same message ids; another batch gives new ones', () => {
  const change = [{ segmentId: 'seg_pricing', memberId: 'p_ann', change: 'entered' as const }];
  expect(followingChanges(change, followers, 'b1')).toEqual(followingChanges(change, followers, 'b1'));
  expect(followingChanges(change, followers, 'b2')[0].id).not.toBe(followingChanges(change, followers, 'b1')[0].id);
});

test('seeding adds the members the platform lacks and removes those it holds who are no longer members', () => {
  const orders = seedChanges('linkedin-pricing', '1700000000000', ['p_ann', 'p_bob'], ['p_bob', 'p_old']);
  expect(orders).toEqual([
    { id: 'audience:linkedin-pricing:seed:1700000000000:p_ann', audienceKey: 'linkedin-pricing', personId: 'p_ann', action: 'ADD' },
    { id: 'audience:linkedin-pricing:seed:1700000000000:p_old', audienceKey: 'linkedin-pricing', personId: 'p_old', action: 'REMOVE' },
  ]);
});

test('a change goes to the audience lane with the hashed email only', () => {
  const m = audienceMessage({ id: 'x', audienceKey: 'linkedin-pricing', personId: 'p_ann', action: 'REMOVE' }, 'ab'.repeat(32), 'acme');
  expect(m).toEqual({ _id: 'x', channel: 'audience', type: 'audience.remove', personId: 'p_ann', accountKey: 'acme', payload: { destination: 'linkedin-pricing', action: 'REMOVE', sha256Email: 'ab'.repeat(32) } });
});
