// The project's own documentation stands in a clone of this repository: every
// link of the README and of docs/ that is not a web address names a file of
// the repository (and, with #, a heading of it), and none leaves the clone.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const documents = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Markdown links `[text](target)`, outside code spans and fenced blocks. */
function linksOf(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

/** The anchors GitHub gives a document's headings. */
function anchorsOf(text: string): Set<string> {
  const prose = text.replace(/```[\s\S]*?```/g, '');
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = heading
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

test('the README and docs/ exist, and the README points readers to docs/', () => {
  expect(documents).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/api.md']));
  const readme = linksOf(readFileSync(path.join(root, 'README.md'), 'utf8'));
  expect(readme).toEqual(expect.arrayContaining(['docs/architecture.md', 'docs/api.md']));
});

test.each(documents)('every link of %s that is not a web address names a file or heading inside the repository', (doc) => {
  const text = readFileSync(path.join(root, doc), 'utf8');
  expect(text).not.toMatch(/\.\.\/shared\//);
  const broken: string[] = [];
  for (const link of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:
    const [file, anchor] = link.split('#');
    const target = file ? path.resolve(root, path.dirname(doc), decodeURIComponent(file)) : path.join(root, doc);
    if (path.relative(root, target).startsWith('..')) {
      broken.push(`${link}: outside the repository`);
      continue;
    }
    if (!existsSync(target)) {
      broken.push(`${link}: no such file`);
      continue;
    }
    if (anchor && statSync(target).isFile() && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${link}: no such heading`);
  }
  expect(broken).toEqual([]);
});
