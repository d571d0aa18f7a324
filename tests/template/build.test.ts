/**
 * `npm run build` as a test: every function and layer of template.yaml is built from the template's
 * own settings; each function bundle exports its handler and takes @headroom/core from the layer;
 * and the built evaluate bundle, loaded beside the built layer as Lambda would load it, runs a
 * scheduled event end to end against a fake AWS endpoint on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  buildTargets,
  buildTemplate,
  esbuildOptions,
  sizeReport,
  type BuildResult,
} from '../../scripts/build.js';
import { fakeAws, type FakeAwsCall } from './fakeAws.js';
import { functions, loadTemplate, ROOT, TEMPLATE_PATH } from './template.js';

const template = loadTemplate();
let out: string;
let results: BuildResult[];

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'headroom-build-'));
  results = await buildTemplate(TEMPLATE_PATH, out);
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

const built = (id: string) => results.find((r) => r.target.logicalId === id)!;

describe('npm run build', () => {
  it('builds every function and layer of the template, nothing more', () => {
    const expected = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Serverless::Function' || r.Type === 'AWS::Serverless::LayerVersion')
      .map(([id]) => id);
    expect(results.map((r) => r.target.logicalId)).toEqual(expected);
  });

  it('reports each bundle with its size, source maps left out of the total', () => {
    const report = sizeReport(results, out);
    for (const result of results) {
      expect(report).toMatch(
        new RegExp(
          `^${result.target.logicalId} \\(${result.target.method}\\) -> ${result.target.logicalId}/  \\d+\\.\\d KiB$`,
          'm',
        ),
      );
    }
    expect(report).not.toContain('.map');
  });

  it('lays the core layer out as an ES module package under nodejs/node_modules', () => {
    const layer = built('CoreLayer');
    expect(layer.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'nodejs/node_modules/@headroom/core/index.mjs',
        'nodejs/node_modules/@headroom/core/package.json',
      ]),
    );
    const pkg = JSON.parse(
      readFileSync(join(layer.outDir, 'nodejs/node_modules/@headroom/core/package.json'), 'utf8'),
    );
    expect(pkg).toMatchObject({ name: '@headroom/core', type: 'module' });
  });

  it.each(functions(template).map(([id, fn]) => [id, String(fn.Properties?.Handler)]))(
    '%s bundle exports %s and imports @headroom/core from the layer',
    (id, handler) => {
      const [file, exported] = handler.split('.');
      const result = built(id);
      const bundle = readFileSync(join(result.outDir, `${file}.mjs`), 'utf8');
      expect(bundle).toMatch(new RegExp(`export\\s*\\{[^}]*\\b${exported}\\b[^}]*\\}`));
      expect(bundle).toMatch(/from\s*"@headroom\/core"/);
      expect(result.files.map((f) => f.path)).toContain(`${file}.mjs.map`);
    },
  );
});

describe('SAM BuildProperties as esbuild options', () => {
  const target = (buildProperties: Record<string, unknown>) => ({
    logicalId: 'Fn',
    type: 'AWS::Serverless::Function',
    method: 'esbuild' as const,
    sourceDir: ROOT,
    buildProperties: { EntryPoints: ['functions/evaluate/handler.ts'], ...buildProperties } as never,
  });

  it('uses the Lambda builder defaults when a property is absent', () => {
    expect(esbuildOptions(target({}), '/out')).toMatchObject({
      bundle: true,
      platform: 'node',
      outdir: '/out',
      target: 'es2020',
      format: 'cjs',
      minify: true,
      sourcemap: false,
    });
  });

  it('translates lists of name=value, splitting at the first "="', () => {
    const options = esbuildOptions(
      target({
        Banner: ['js=const a = 1;'],
        OutExtension: ['.js=.mjs'],
        Loader: ['.sql=text'],
        MainFields: 'module,main',
      }),
      '/out',
    );
    expect(options).toMatchObject({
      banner: { js: 'const a = 1;' },
      outExtension: { '.js': '.mjs' },
      loader: { '.sql': 'text' },
      mainFields: ['module', 'main'],
    });
  });

  it('refuses what SAM would not build, naming the resource and property', () => {
    expect(() => esbuildOptions(target({ Splitting: true }), '/out')).toThrow(
      'Fn BuildProperties.Splitting is not a SAM esbuild property',
    );
    expect(() => esbuildOptions(target({ EntryPoints: ['functions/nope/handler.ts'] }), '/out')).toThrow(
      'Fn entry point functions/nope/handler.ts does not exist',
    );
    expect(() => esbuildOptions(target({ Banner: ['js'] }), '/out')).toThrow(
      'Fn BuildProperties.Banner item "js" is not name=value',
    );
  });

  it('refuses a function without esbuild or makefile Metadata', () => {
    expect(() =>
      buildTargets(
        { Resources: { Fn: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: '.' } } } },
        ROOT,
      ),
    ).toThrow('Fn has Metadata.BuildMethod undefined');
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
    // /task holds the function, and node_modules beside it the layer: bare imports of
    // @headroom/core resolve there as they do from /opt/nodejs/node_modules in Lambda.
    const root = mkdtempSync(join(tmpdir(), 'headroom-lambda-'));
    mkdirSync(join(root, 'node_modules/@headroom'), { recursive: true });
    symlinkSync(
      join(built('CoreLayer').outDir, 'nodejs/node_modules/@headroom/core'),
      join(root, 'node_modules/@headroom/core'),
    );
    cpSync(built('EvaluateFunction').outDir, join(root, 'task'), { recursive: true });
    const resultPath = join(root, 'result.json');
    const script = `
      import { writeFileSync } from 'node:fs';
      const { handler } = await import(${JSON.stringify(join(root, 'task/handler.mjs'))});
      const event = JSON.parse(${JSON.stringify(readFileSync(resolve(ROOT, 'events/evaluate/scheduled.json'), 'utf8'))});
      const context = { functionName: 'headroom-evaluate', awsRequestId: 'smoke-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:headroom-evaluate', memoryLimitInMB: '512', functionVersion: '$LATEST', getRemainingTimeInMillis: () => 55000 };
      writeFileSync(${JSON.stringify(resultPath)}, JSON.stringify(await handler(event, context)));
    `;
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_METRICS_NAMESPACE: 'Headroom',
        MODE: 'advise',
        KILL_SWITCH: 'off',
        STATE_TABLE: 'headroom-state',
        EVENT_BUS_NAME: 'headroom-advisor',
        REMEDIATION_STATE_MACHINE_ARN:
          'arn:aws:states:eu-west-1:123456789012:stateMachine:headroom-remediate',
        ADVISOR_EVENTS_DLQ_URL:
          'https://sqs.eu-west-1.amazonaws.com/123456789012/headroom-AdvisorEventsDeadLetterQueue-1A2B3C',
        SERVICES_JSON: '[]',
      },
    });
    const report = JSON.parse(readFileSync(resultPath, 'utf8'));
    rmSync(root, { recursive: true, force: true });

    expect(report.errors).toEqual([]);
    expect(report.services.map((s: { record: { outcome: string } }) => s.record.outcome)).toEqual([
      'applied',
    ]);
    expect(calls.map((c) => c.operation)).toEqual(
      expect.arrayContaining([
        'DescribeAutoScalingGroups',
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
