/**
 * Writes docs/examples/<name>.txt, the output of every command the docs show (lab/cli/docExamples.ts),
 * then puts each into the docs' marked blocks. `npm run docs:examples`; an example whose data is
 * outside the project (the benchmark traces) is skipped, saying so, when that data is not there.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canRun, DOC_EXAMPLES, EXAMPLES_DIR, runExample, withExamples } from '../lab/cli/docExamples.js';

const root = resolve(import.meta.dirname, '..');
mkdirSync(join(root, EXAMPLES_DIR), { recursive: true });
for (const example of DOC_EXAMPLES) {
  if (!canRun(example, root)) {
    process.stdout.write(`skipped ${example.name}: ${example.needs} is not there\n`);
    continue;
  }
  const file = join(root, EXAMPLES_DIR, `${example.name}.txt`);
  writeFileSync(file, await runExample(example, root));
  process.stdout.write(`wrote ${file}\n`);
}

const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
for (const doc of docs) {
  const path = join(root, doc);
  const before = readFileSync(path, 'utf8');
  const after = withExamples(before, (name) => readFileSync(join(root, EXAMPLES_DIR, `${name}.txt`), 'utf8'));
  if (after !== before) {
    writeFileSync(path, after);
    process.stdout.write(`updated ${doc}\n`);
  }
}
