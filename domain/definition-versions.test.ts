import { bothNeeds, withoutLatest } from './definition-versions';

test('two refresh requests need the newer version of each definition, and everything as saved if either does', () => {
  expect(bothNeeds({ model: 3, segments: 7 }, { model: 5, templates: 2 })).toEqual({ model: 5, segments: 7, templates: 2 });
  expect(bothNeeds({ model: 3 }, { latest: true })).toEqual({ model: 3, latest: true });
  expect(bothNeeds({}, {})).toEqual({});
});

test('after a refresh read everything as saved, the versions it was asked for still hold', () => {
  expect(withoutLatest({ model: 4, latest: true })).toEqual({ model: 4 });
});
