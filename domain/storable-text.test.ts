import { findUnstorableText } from './storable-text';

describe('text every database can store', () => {
  test.each([
    [{ name: 'Zoë 🌱 Seeds', tags: ['a', 'b'], n: 1 }, undefined],
    [{ name: 'a\u0000b' }, 'name'],
    [{ people: [{ title: 'ok' }, { title: '\ud83c' }] }, 'people.1.title'],
    [{ attributes: { 'k\udc00': 1 } }, 'attributes'],
    ['line\u0000', ''],
  ])('%j is refused at %s', (value, badPath) => {
    expect(findUnstorableText(value)?.path).toBe(badPath);
  });

  test('the first bad field in document order is the one named', () => {
    expect(findUnstorableText({ a: 'fine', b: 'x\u0000', c: 'y\u0000' }, 'body')?.path).toBe('body.b');
  });
});
