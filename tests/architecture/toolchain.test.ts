/**
 * Which Node runs what. npm (and the `headroom` launcher) run on the machine's Node, which may be
 * 20; the code runs on the Node 22 that the `node` devDependency installs (npm scripts put it first
 * on PATH, bin/headroom.mjs starts it) and on nodejs22.x in Lambda. `engines` states the first, so
 * install and npx do not warn about a Node the code never runs on.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadTemplate } from '../template/template.js';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('Node versions', () => {
  it('engines admit the Node that runs npm; the node devDependency provides 22, as Lambda runs', () => {
    expect(pkg.engines.node).toBe('>=20');
    expect(pkg.devDependencies['node']).toMatch(/^22\.\d+\.\d+$/);
    const globals = loadTemplate() as unknown as { Globals: { Function: { Runtime: string } } };
    expect(globals.Globals.Function.Runtime).toBe('nodejs22.x');
  });

  it('runs tests on the Node 22 of the devDependency, not the machine Node', () => {
    expect(process.versions.node).toBe(pkg.devDependencies['node']);
  });

  it('the launcher starts the project Node', () => {
    expect(readFileSync(resolve(root, 'bin/headroom.mjs'), 'utf8')).toContain(
      "'../node_modules/node/bin/node'",
    );
  });
});
