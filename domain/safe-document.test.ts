import { findUnsafeValue } from './safe-document';

describe('free-form data from outside', () => {
  test.each([
    [{ url: '/pricing', product: 'A', tags: ['x', 'y'], nested: { depth: 2 } }, undefined],
    [{ page: { $gt: '' } }, 'page.$gt'],
    [{ 'utm.source': 'li' }, 'utm.source'],
    [{ ' source': 'li' }, ' source'],
    [{ 'source\u000b': 'li' }, 'source\u000b'],
    [{ matrix: [[1, 2]] }, 'matrix.0'],
    [{ n: Number.NaN }, 'n'],
    [{ text: 'a\u0000b' }, 'text'],
    [{ a: { b: { c: { d: { e: { f: 1 } } } } } }, 'a.b.c.d.e'],
  ])('%j is %s', (value, badPath) => {
    expect(findUnsafeValue(value)?.path).toBe(badPath);
  });
});
