/**
 * Which Node runs what. npm (and the `headroom` launcher) run on the machine's Node, which may be
 * 20; the code runs on the Node 22 that the `node` devDependency installs (npm scripts put it first
 * on PATH, bin/headroom.mjs starts it) and on nodejs22.x in Lambda. `engines` states the first, so
 * install and npx do not warn about a Node the code never runs on.
 */
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
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

describe('installing on the machine Node', () => {
  const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
  };

  it('no package npm installs asks for a Node above 20 (npm would warn EBADENGINE on every install)', () => {
    const above20 = Object.entries(lock.packages).flatMap(([path, p]) => {
      const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
      const floor = range && /^>=\s*(\d+)(\.\d+)*(\.x)?$/.exec(range.trim());
      return floor && Number(floor[1]) > 20 && !p.optional ? [`${path}: node ${range}`] : [];
    });
    expect(above20).toEqual([]);
  });

  it('aws-local-stepfunctions is the vendored copy of 3.0.0, its files unchanged, without engines', () => {
    expect(pkg.devDependencies['aws-local-stepfunctions']).toBe('file:vendor/aws-local-stepfunctions');
    const dir = resolve(root, 'vendor/aws-local-stepfunctions');
    const vendored = JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(vendored).toMatchObject({ name: 'aws-local-stepfunctions', version: '3.0.0', license: 'MIT' });
    expect(vendored['engines']).toBeUndefined();
    const readme = readFileSync(resolve(root, 'vendor/README.md'), 'utf8');
    for (const file of ['build/main.node.esm.js', 'build/main.node.cjs', 'build/main.d.ts']) {
      const sha = createHash('sha256')
        .update(readFileSync(resolve(dir, file)))
        .digest('hex');
      expect(readme).toContain(`\`${file}\` | \`${sha}\``);
    }
  });
});
