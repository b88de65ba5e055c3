import { hashedEmail } from './hash';

test('an audience member is the SHA-256 (hex) of the trimmed, lowercased email', () => {
  const ada = 'b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72';
  expect(hashedEmail('ada@example.com')).toBe(ada);
  expect(hashedEmail(' Ada@Example.COM ')).toBe(ada);
});
