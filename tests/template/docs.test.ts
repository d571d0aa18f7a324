/** docs/deploy.md documents every parameter of template.yaml, so the two cannot drift apart. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadTemplate, ROOT } from './template.js';

const docs = readFileSync(resolve(ROOT, 'docs/deploy.md'), 'utf8');
const section = docs.slice(
  docs.indexOf('## Parameters'),
  docs.indexOf('\n## ', docs.indexOf('## Parameters') + 1),
);
const documented = new Set([...section.matchAll(/^\|\s*`([A-Za-z0-9]+)`\s*\|/gm)].map((m) => m[1]));

describe('docs/deploy.md', () => {
  it('has a row in its Parameters table for every template parameter', () => {
    const parameters = Object.keys(loadTemplate().Parameters ?? {});
    expect(parameters.length).toBeGreaterThan(0);
    expect(parameters.filter((p) => !documented.has(p))).toEqual([]);
  });

  it('documents no parameter the template does not have', () => {
    const parameters = new Set(Object.keys(loadTemplate().Parameters ?? {}));
    expect([...documented].filter((p) => !parameters.has(p!))).toEqual([]);
  });
});
