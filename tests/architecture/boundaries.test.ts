/**
 * The line between what ships and the lab is kept by the linter (eslint.config.js). These tests
 * lint real snippets at product and lab paths, so the rule cannot vanish or weaken unnoticed, and
 * check the tree itself: no product file imports from outside layers/core/src but packages.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';

const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function ruleIdsFor(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('the product may not import the lab', () => {
  it.each([
    ['layers/core/src/policies/example.ts', "import { demandFor } from '../../../../lab/world/queueing.js';"],
    ['layers/core/src/policies/example.ts', "import { mmc } from '@headroom/lab/world/queueing.js';"],
    ['layers/core/src/evaluate/example.ts', "import { runBench } from '@headroom/lab/bench/runner.js';"],
    ['layers/core/src/policies/example.ts', "import { demandFor } from '../sim/queueing.js';"],
    ['layers/core/src/policies/example.ts', "import { demandFor } from './queueing.js';"],
    ['functions/evaluate/example.ts', "import { SimulatedAccount } from '../../lab/world/account.js';"],
  ])('%s: %s is refused', async (file, line) => {
    expect(await ruleIdsFor(`${line}\nexport const x = 1;\n`, file)).toContain('no-restricted-imports');
  });

  it('allows product-to-product and lab-to-product imports', async () => {
    const product =
      "import { targetTracking } from './targetTracking.js';\nexport const x = targetTracking;\n";
    expect(await ruleIdsFor(product, 'layers/core/src/policies/example.ts')).not.toContain(
      'no-restricted-imports',
    );
    const lab = "import { demandFor } from './queueing.js';\nexport const x = demandFor;\n";
    expect(await ruleIdsFor(lab, 'lab/world/example.ts')).not.toContain('no-restricted-imports');
  });
});

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the tree', () => {
  const core = join(root, 'layers/core/src');

  it('no file under layers/core/src imports from outside it, except packages', () => {
    const escapes = sourcesUnder(core).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)]
        .map((m) => m[1]!)
        .filter(
          (spec) => spec.startsWith('.') && relative(core, resolve(dirname(file), spec)).startsWith('..'),
        )
        .map((spec) => `${relative(root, file)} -> ${spec}`),
    );
    expect(escapes).toEqual([]);
  });

  it('holds no simulator, benchmark, CLI, workload, baseline or bill folder', () => {
    const folders = readdirSync(core).filter((name) => statSync(join(core, name)).isDirectory());
    for (const lab of [
      'sim',
      'world',
      'bench',
      'cli',
      'workload',
      'workloads',
      'baselines',
      'advisorBill',
      'bill',
    ])
      expect(folders).not.toContain(lab);
    expect(readdirSync(join(core, 'policies'))).not.toContain('baselines');
  });
});
