import { readFileSync } from 'node:fs';
import { testServers } from './support/servers';

// The worker gives every workflow it keeps in memory its own copy of the modules
// the workflow code imports: a library pulled in by a domain module costs that
// much again per cached account, journey and nurture enrolment.
test('workflows load no validation library, so each one kept in memory stays small', () => {
  const code = readFileSync(testServers().bundlePath, 'utf8');
  expect(code).toContain('./workflows/account.ts');
  expect(code.match(/\.\/node_modules\/zod\/[^"'\s]*/g) ?? []).toEqual([]);
});
