/**
 * `npm run build` as a test: every function of template.yaml is bundled from the template's own
 * settings by the esbuild command line, with the arguments SAM's esbuild builder gives it; each
 * bundle holds everything its function runs, each package once; and the built evaluate bundle, loaded
 * as Lambda loads it, runs a scheduled event end to end against a fake AWS endpoint on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { builtinModules } from 'node:module';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildOne, buildTargets, sizeReport, type BuildResult } from '../../scripts/build.js';
import { lambdaEnvironment, layOut } from '../../scripts/lambdaLayout.js';
import { installArgs, samEsbuildArgs, snakeCase } from '../../scripts/samEsbuild.js';
import { fakeAws, type FakeAwsCall } from './fakeAws.js';
import { functions, loadTemplate, ROOT } from './template.js';

const template = loadTemplate();
let out: string;
let results: BuildResult[];

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'headroom-build-'));
  results = [];
  for (const target of buildTargets(template, ROOT)) {
    // The metafile goes beside the artifacts, not into them: it is this test's, not SAM's.
    results.push(
      await buildOne(target, join(out, target.logicalId), ROOT, [
        `--metafile=${out}/${target.logicalId}.json`,
      ]),
    );
  }
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

const built = (id: string) => results.find((r) => r.target.logicalId === id)!;

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** Each npm package in a bundle, by name, with the directories its code came from. */
function packagesIn(meta: Metafile): Map<string, Set<string>> {
  const packages = new Map<string, Set<string>>();
  for (const output of Object.values(meta.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const at = path.lastIndexOf('node_modules/');
      if (at < 0 || bytesInOutput === 0) continue;
      const rest = path.slice(at + 'node_modules/'.length).split('/');
      const name = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
      const dir = path.slice(0, at) + 'node_modules/' + name;
      packages.set(name, (packages.get(name) ?? new Set()).add(dir));
    }
  }
  return packages;
}

describe('npm run build', () => {
  it('builds every function of the template, nothing more', () => {
    expect(results.map((r) => r.target.logicalId)).toEqual(functions(template).map(([id]) => id));
  });

  it('reports each bundle with its size, source maps left out of the total', () => {
    const report = sizeReport(results, out);
    for (const result of results) {
      expect(report).toMatch(
        new RegExp(`^${result.target.logicalId} -> ${result.target.logicalId}/  \\d+\\.\\d KiB$`, 'm'),
      );
    }
  });

  it.each(functions(template).map(([id, fn]) => [id, String(fn.Properties?.Handler)]))(
    '%s is one CommonJS file exporting %s that needs nothing but Node.js itself',
    (id, handler) => {
      const [file, exported] = handler.split('.');
      const result = built(id);
      expect(result.files.map((f) => f.path)).toEqual([`${file}.cjs`, `${file}.cjs.map`]);
      const bundle = readFileSync(join(result.outDir, `${file}.cjs`), 'utf8');
      expect(bundle).toMatch(new RegExp(`\\b${exported}:\\s*\\(\\)\\s*=>`));
      const required = [...bundle.matchAll(/(?<!\[)\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
      const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
      expect(required.filter((name) => !builtins.has(name))).toEqual([]);
    },
  );

  it.each(functions(template).map(([id]) => [id]))('%s bundles each npm package once', (id) => {
    const meta = JSON.parse(readFileSync(join(out, `${id}.json`), 'utf8')) as Metafile;
    const twice = [...packagesIn(meta)]
      .filter(([, dirs]) => dirs.size > 1)
      .map(([name, dirs]) => `${name}: ${[...dirs].join(', ')}`);
    expect(twice).toEqual([]);
    // Powertools' JSONStringified imports zod as a namespace object, which brings every locale.
    expect(
      Object.keys(Object.values(meta.outputs)[0]!.inputs).filter(
        (p) => p.includes('zod/v4/locales/') && !p.endsWith('/en.js'),
      ),
    ).toEqual([]);
  });
});

/**
 * The probe a fresh Node process runs on a built function: it counts the source-map files read while
 * the handler loads, then calls the handler with a context whose every property throws, so that
 * the error's stack runs through the bundle (middy reads the context first), and prints the stack.
 */
const stackProbe = (handlerFile: string) => `
  const fs = require('node:fs');
  const reads = [];
  const read = fs.readFileSync;
  fs.readFileSync = function (path, ...rest) {
    if (String(path).endsWith('.map')) reads.push(String(path));
    return read.call(this, path, ...rest);
  };
  const { handler } = require(${JSON.stringify(handlerFile)});
  const readsAtLoad = reads.length;
  const context = new Proxy({}, { get: (_, key) => { if (key === 'then') return undefined; throw new Error('context read: ' + String(key)); } });
  Promise.resolve()
    .then(() => handler({ Records: [] }, context))
    .then(
      () => { throw new Error('the handler did not read its context'); },
      (error) => process.stdout.write(JSON.stringify({ readsAtLoad, stack: error.stack, readsAfter: reads.length })),
    );
`;

describe('stack traces of the built functions', () => {
  it.each(functions(template).map(([id]) => [id]))(
    '%s names its sources when a trace is printed, and reads its source map only then',
    async (id) => {
      const root = mkdtempSync(join(tmpdir(), 'headroom-stack-'));
      try {
        const { handlerFile, taskDir } = layOut(template, results, id, root);
        const { stdout } = await promisify(execFile)(process.execPath, ['-e', stackProbe(handlerFile)], {
          cwd: taskDir,
          timeout: 30_000,
          env: {
            ...lambdaEnvironment(template, id),
            PATH: process.env.PATH ?? '',
            LAMBDA_TASK_ROOT: taskDir,
          },
        });
        const probe = JSON.parse(stdout) as { readsAtLoad: number; stack: string; readsAfter: number };
        // Nothing parsed at start: the cold start does not pay for the map.
        expect(probe.readsAtLoad).toBe(0);
        // Middy's frame, by its original function name, file and line, not the bundle's position.
        expect(probe.stack).toMatch(/^ {4}at runRequest \(node_modules\/@middy\/core\/index\.js:\d+:\d+\)$/m);
        expect(probe.stack).not.toContain('handler.cjs');
        expect(probe.readsAfter).toBe(1);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
});

describe("SAM's esbuild arguments from BuildProperties", () => {
  const args = (props: Record<string, unknown>) =>
    samEsbuildArgs('Fn', { EntryPoints: ['functions/evaluate/handler'], ...props } as never, ROOT, '/out');

  it('names properties as SAM CLI hands them to lambda-builders', () => {
    expect(
      ['EntryPoints', 'OutExtension', 'MainFields', 'SourcesContent', 'UseNpmCi'].map(snakeCase),
    ).toEqual(['entry_points', 'out_extension', 'main_fields', 'sources_content', 'use_npm_ci']);
  });

  it("adds the builder's defaults for what is absent, and finds a suffixless entry point's .ts", () => {
    expect(args({})).toEqual([
      'functions/evaluate/handler.ts',
      '--bundle',
      '--platform=node',
      '--outdir=/out',
      '--target=es2020',
      '--format=cjs',
      '--minify',
    ]);
  });

  it('passes values as lambda-builders formats them, Python booleans included', () => {
    expect(
      args({
        Format: 'cjs',
        Target: 'node22',
        Minify: false,
        Sourcemap: true,
        MainFields: 'module,main',
        SourcesContent: false,
        OutExtension: ['.js=.cjs'],
        Banner: ['js=const a = 1;'],
      }).slice(4),
    ).toEqual([
      '--sourcemap',
      '--target=node22',
      '--format=cjs',
      '--main-fields=module,main',
      // What SAM really sends for a YAML false, and esbuild refuses: the template quotes 'false'.
      '--sources-content=False',
      '--out-extension:.js=.cjs',
      '--banner:js=const a = 1;',
    ]);
  });

  it('refuses what SAM would silently ignore, and entry points that do not exist', () => {
    expect(() => args({ Footer: ['js=//'] })).toThrow('Fn BuildProperties.Footer is not read by SAM');
    expect(() => args({ Splitting: true })).toThrow('Fn BuildProperties.Splitting is not read by SAM');
    expect(() => args({ EntryPoints: ['functions/nope/handler.ts'] })).toThrow(
      `Fn entry point ${ROOT}/functions/nope/handler.ts does not exist`,
    );
  });

  it('installs as SAM does: production dependencies only, or npm ci when asked', () => {
    expect(installArgs({})).toEqual(['install', '-q', '--no-audit', '--no-save', '--omit=dev']);
    expect(installArgs({ UseNpmCi: true })).toEqual(['ci']);
  });

  it('refuses a layer and a function without esbuild Metadata', () => {
    expect(() =>
      buildTargets(
        { Resources: { Fn: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: '.' } } } },
        ROOT,
      ),
    ).toThrow('Fn has Metadata.BuildMethod undefined');
    expect(() =>
      buildTargets({ Resources: { Lib: { Type: 'AWS::Serverless::LayerVersion', Properties: {} } } }, ROOT),
    ).toThrow('Lib is a layer');
  });
});

describe('the built evaluate bundle, run as Lambda would run it', () => {
  let server: Server;
  let calls: FakeAwsCall[];
  let endpoint: string;

  beforeAll(async () => {
    ({ server, calls, endpoint } = await fakeAws());
  });
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('scales the hot group out through real SDK requests', async () => {
    const root = mkdtempSync(join(tmpdir(), 'headroom-lambda-'));
    const { handlerFile } = layOut(template, results, 'EvaluateFunction', root);
    const resultPath = join(root, 'result.json');
    // The runtime requires a CommonJS handler, as here.
    const script = `
      const { writeFileSync } = require('node:fs');
      const { handler } = require(${JSON.stringify(handlerFile)});
      const event = JSON.parse(${JSON.stringify(readFileSync(resolve(ROOT, 'events/evaluate/scheduled.json'), 'utf8'))});
      const context = { functionName: 'headroom-evaluate', awsRequestId: 'smoke-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:headroom-evaluate', memoryLimitInMB: '512', functionVersion: '$LATEST', getRemainingTimeInMillis: () => 55000 };
      writeFileSync(${JSON.stringify(resultPath)}, JSON.stringify(await handler(event, context)));
    `;
    await promisify(execFile)(process.execPath, ['-e', `(async () => { ${script} })()`], {
      cwd: root,
      timeout: 30_000,
      // The environment the template sets; the endpoint, credentials and tracing are the test's.
      env: {
        ...lambdaEnvironment(template, 'EvaluateFunction'),
        PATH: process.env.PATH ?? '',
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_SESSION_TOKEN: '',
        POWERTOOLS_TRACE_ENABLED: 'false',
        // Without the schedule every service is read on this run, whatever the clock says.
        EVALUATE_SCHEDULE: '',
        ACCOUNT_ID: '123456789012',
        PARTITION: 'aws',
        REMEDIATION_STATE_MACHINE_ARN:
          'arn:aws:states:eu-west-1:123456789012:stateMachine:headroom-remediate',
      },
    });
    const report = JSON.parse(readFileSync(resultPath, 'utf8'));
    rmSync(root, { recursive: true, force: true });

    expect(report).toMatchObject({ errors: [] });
    expect(report.services.map((s: { record: { outcome: string } }) => s.record.outcome)).toEqual([
      'applied',
    ]);
    expect(calls.map((c) => c.operation)).toEqual(
      expect.arrayContaining([
        'DescribeAutoScalingGroups',
        // No read schedule, so no state was read before describing: a recent action of ours cannot
        // be ruled out, and warm-up is read from the activities (evaluateServices.ts describeDue).
        'DescribeScalingActivities',
        'GraniteServiceVersion20100801.GetMetricData',
        'DynamoDB_20120810.GetItem',
        'DynamoDB_20120810.PutItem',
        'SetDesiredCapacity',
        'AWSEvents.PutEvents',
      ]),
    );
    const set = calls.find((c) => c.operation === 'SetDesiredCapacity')!;
    expect(set.body).toContain('AutoScalingGroupName=web');
    expect(set.body).toContain('HonorCooldown=true');
  });
});
