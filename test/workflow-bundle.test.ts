import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { testServers } from './support/servers';

// The worker evaluates our workflow modules once, in the V8 context that every
// workflow it runs shares (workers/bundle.ts): a cached account, journey or
// nurture enrolment then holds only its own state. Whatever those modules kept
// at module scope would pass from one workflow to another and break replays.

const root = path.join(__dirname, '..');
const bundle = () => readFileSync(testServers().bundlePath, 'utf8');
/** Our modules in the bundle, as webpack names them (`./workflows/account.ts`). */
const ourModules = (code: string) => [...new Set(code.match(/\.\/(?:workflows|domain)\/[\w/.-]+\.ts/g) ?? [])];

/** Top-level `let` / `var`, and top-level collections that could be filled at run time (a `ReadonlySet` lookup table cannot). */
function moduleScopeState(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const where = `${file}:${source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1}`;
    if (!(list.flags & ts.NodeFlags.Const)) found.push(`${where} declares a variable`);
    for (const d of list.declarations) {
      const init = d.initializer;
      const readOnly = d.type?.getText(source).startsWith('Readonly') ?? false;
      // A WeakMap memo keyed by a workflow's own objects holds nothing another workflow can reach.
      if (init && ts.isNewExpression(init) && !readOnly && ['Map', 'Set', 'Array'].includes(init.expression.getText(source))) found.push(`${where} holds a ${init.expression.getText(source)}`);
    }
  }
  return found;
}

test('every workflow on a worker shares one evaluation of the workflow modules', () => {
  expect(bundle()).toMatch(/function preloadModules\(\) \{[^}]*"\.\/workflows\/index\.ts"/);
});

test('the workflow modules keep no state at module scope, so workflows sharing them stay apart', () => {
  const modules = ourModules(bundle());
  expect(modules).toContain('./workflows/account.ts');
  expect(modules).toContain('./domain/condition.ts');
  expect(modules.flatMap(moduleScopeState)).toEqual([]);
});

test('workflows load no validation library, so the bundle every worker thread evaluates stays small', () => {
  expect(bundle().match(/\.\/node_modules\/zod\/[^"'\s]*/g) ?? []).toEqual([]);
});
