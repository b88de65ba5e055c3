import { identityRuns } from './runs';

describe('resolving a batch in message order', () => {
  test('an anonymous visit and the identify that names her are resolved one after the other', () => {
    expect(identityRuns([{ keys: ['anonymousId:a'] }, { keys: ['anonymousId:a', 'userId:u'] }, { keys: ['userId:u'] }])).toEqual([[0], [1, 2]]);
  });
  test('messages that share no identifier, or name one each, are resolved together', () => {
    expect(identityRuns([{ keys: ['userId:u1'] }, { keys: ['userId:u2', 'email:b@x.example'] }, { keys: ['userId:u1'] }])).toEqual([[0, 1, 2]]);
  });
  test('an alias is resolved alone, between what came before and after', () => {
    expect(identityRuns([{ keys: ['userId:u'] }, { keys: ['userId:u'], alone: true }, { keys: ['userId:u'] }])).toEqual([[0], [1], [2]]);
  });
});
