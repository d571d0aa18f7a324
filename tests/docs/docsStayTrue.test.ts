/**
 * The user docs stay true: every `headroom` command and option they show exists; every command
 * output they show is a file `npm run docs:examples` wrote, and running the command again gives
 * it (wall-clock numbers aside); they speak the user's words, not the project's history; the
 * forecast item size they state is the one the bill charges and a test measures; the Slack app
 * manifest asks for what the code uses.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_WORKLOAD } from '@headroom/lab/bill/advisorMonthlyBill';
import {
  DOC_EXAMPLES,
  EXAMPLE_BLOCK,
  EXAMPLES_DIR,
  runExample,
  withoutWallClock,
} from '@headroom/lab/cli/docExamples';
import { COMMANDS } from '@headroom/lab/cli/run';

jest.setTimeout(180_000);
const ROOT = join(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
/** The docs a user reads to install, run and operate Headroom. */
const USER_DOCS = [
  'README.md',
  'docs/cli.md',
  'docs/configuration.md',
  'docs/deploy.md',
  'docs/operations.md',
];
const helpOf = new Map(COMMANDS.map((c) => [c.name, c.help]));

interface Use {
  file: string;
  line: number;
  command: string;
  options: string[];
}

/**
 * Each place a doc runs a command: `npx headroom X …`, `npm run headroom -- X …`, `headroom X …`
 * or `npm start -- …`, on a line of a code block or in an inline code span. Generated example
 * blocks are left out: running them again checks them (a usage error's example shows a wrong option).
 */
function commandUses(file: string, text: string): Use[] {
  const uses: Use[] = [];
  let fenced = false;
  let example = false;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('<!-- examples:')) example = true;
    if (line.startsWith('```')) {
      fenced = !fenced;
      if (!fenced) example = false;
      return;
    }
    if (example) return;
    const candidates = fenced ? [line] : [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    for (const snippet of candidates) {
      const code = snippet.replace(/\s#.*$/, '').trim();
      const start = /npm start(?: --)?(.*)$/.exec(code);
      const run =
        /(?:npx headroom|npm run headroom --|^\$? ?headroom)\s+([a-z][a-z-]*)(.*)$/.exec(code) ??
        (start ? ['', 'simulate', start[1]!] : null);
      if (!run) continue;
      const options = [...(run[2] ?? '').matchAll(/(?:^|\s)(--[a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]!);
      uses.push({ file, line: i + 1, command: run[1]!, options });
    }
  });
  return uses;
}

/** Options listed in a command's table: rows `| \`--x …\` |` under a heading `headroom <command>`. */
function tableOptions(file: string, text: string): Use[] {
  const uses: Use[] = [];
  let command: string | undefined;
  text.split('\n').forEach((line, i) => {
    const heading = /^#+ `headroom ([a-z-]+)/.exec(line);
    if (/^#/.test(line)) command = heading?.[1];
    const row = /^\| `(--[a-z0-9][a-z0-9-]*)/.exec(line);
    if (command && row) uses.push({ file, line: i + 1, command, options: [row[1]!] });
  });
  return uses;
}

describe('commands and options the docs show', () => {
  const uses = DOCS.flatMap((f) => [...commandUses(f, read(f)), ...tableOptions(f, read(f))]);

  it('finds the uses it checks (the README shows simulate, backtest, status, doctor)', () => {
    const shown = new Set(uses.filter((u) => u.file === 'README.md').map((u) => u.command));
    for (const command of ['simulate', 'backtest', 'calibrate', 'status', 'doctor', 'kill-switch'])
      expect(shown).toContain(command);
  });

  it('each exists, with each option it is shown with', () => {
    const wrong = uses.flatMap((u) => {
      const help = helpOf.get(u.command);
      if (help === undefined) return [`${u.file}:${u.line}: no command '${u.command}'`];
      return u.options
        .filter((o) => !new RegExp(`(^|[\\s,|(])${o}\\b`, 'm').test(help))
        .map((o) => `${u.file}:${u.line}: '${u.command}' has no option ${o}`);
    });
    expect(wrong).toEqual([]);
  });
});

describe('command outputs the docs show', () => {
  const markers = DOCS.flatMap((file) =>
    [...read(file).matchAll(EXAMPLE_BLOCK)].map((m) => ({ file, names: m[2]!.split(/\s+/), body: m[3]! })),
  );

  it('are the files npm run docs:examples wrote, verbatim', () => {
    expect(markers.length).toBeGreaterThanOrEqual(4);
    for (const m of markers) {
      const files = m.names.map((n) => read(`${EXAMPLES_DIR}/${n}.txt`)).join('');
      expect({ file: m.file, names: m.names, body: m.body }).toEqual({ ...m, body: files });
    }
  });

  it('show every example written, and write every example shown', () => {
    const shown = markers.flatMap((m) => m.names).sort();
    const written = readdirSync(join(ROOT, EXAMPLES_DIR))
      .map((f) => f.replace(/\.txt$/, ''))
      .sort();
    expect(shown).toEqual(written);
    expect(DOC_EXAMPLES.map((e) => e.name).sort()).toEqual(written);
  });

  it.each(DOC_EXAMPLES.filter((e) => e.needs === undefined).map((e) => [e.name, e] as const))(
    '%s gives the same output when run again',
    async (name, example) => {
      const again = await runExample(example, ROOT);
      expect(withoutWallClock(again)).toBe(withoutWallClock(read(`${EXAMPLES_DIR}/${name}.txt`)));
    },
  );

  it("state Headroom's own bill as the cost example prints it", () => {
    const total = /^Total\s+(\$[\d.,]+)$/m.exec(read(`${EXAMPLES_DIR}/cost-100.txt`))?.[1];
    expect(total).toMatch(/^\$\d/);
    expect(read('docs/operations.md')).toContain(
      `**100 services on a one-minute schedule: ${total} a month**`,
    );
  });

  it('mask only the wall clock: the speed column, the replay time and the spacing they set', () => {
    const text = [
      'headroom                31  1,412.0   58.74  0.01   1.82   0.3  87.7      1.1      117    5,431',
      'Replayed 70,560 simulated minutes in 3.0 s (23,180 simulated minutes per second).',
    ].join('\n');
    expect(withoutWallClock(text)).toBe(
      [
        'headroom 31 1,412.0 58.74 0.01 1.82 0.3 87.7 1.1 117 …',
        'Replayed 70,560 simulated minutes in … s (… simulated minutes per second).',
      ].join('\n'),
    );
  });
});

describe("the user docs' words", () => {
  const INTERNAL: readonly [string, RegExp][] = [
    ['an issue number', /\bissue \d+/i],
    ["the issue's targets", /the issue'?s/i],
    ['a flow number', /\bflow \d+/i],
    ['the design notes', /design\.md/],
    ['helpers', /\bhelpers?\b/i],
    ['branches', /\bbranch(es)?\b/i],
    ['work sessions', /\bsessions?\b(?! polic)/i],
    ['merge history', /before the merge/i],
  ];

  it.each(USER_DOCS)('%s carries no internal terms or history', (file) => {
    const found = read(file)
      .split('\n')
      .flatMap((line, i) =>
        INTERNAL.filter(([, re]) => re.test(line)).map(([what]) => `${file}:${i + 1}: ${what}`),
      );
    expect(found).toEqual([]);
  });

  it('configuration.md names the template parameter ServicesJson, never Services', () => {
    const text = read('docs/configuration.md');
    expect(text).toContain('`ServicesJson`');
    expect(text).not.toMatch(/`Services`/);
    expect(read('template.yaml')).toMatch(/^ {2}ServicesJson:$/m);
  });

  it('state the forecast item size the bill charges (measured by tests/lab/bill/forecastItemSize.test.ts)', () => {
    const kb = DEFAULT_WORKLOAD.forecastItemBytes / 1024;
    const stated = DOCS.flatMap((file) =>
      read(file)
        .split('\n')
        // The stored item's size: a line on the forecast item, or on the gzipped JSON it holds.
        .filter((line) => /forecast item|gzip/i.test(line))
        .flatMap((line) =>
          [...line.matchAll(/~?(\d+(?:\.\d+)?) KB/g)].map((m) => ({ file, line, kb: Number(m[1]) })),
        ),
    );
    expect(stated.length).toBeGreaterThanOrEqual(2);
    const wrong = stated.filter((s) => s.kb !== kb);
    expect(wrong).toEqual([]);
  });
});

describe('the Slack app manifest', () => {
  const manifest = parse(read('docs/slack-app-manifest.yaml')) as {
    oauth_config: { scopes: { bot: string[] } };
    settings: { interactivity: { is_enabled: boolean; request_url: string } };
  };

  it('asks for the incoming webhook and interactivity, which the code uses, and nothing else', () => {
    expect(manifest.oauth_config.scopes.bot).toEqual(['incoming-webhook']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/^https:\/\//);
    // No Web API call needs a bot token scope: the code posts only to webhooks and response_urls.
    for (const dir of [
      'layers/core/src/slack',
      'layers/core/src/aws',
      'functions/interactions',
      'functions/notifier',
    ])
      for (const f of readdirSync(join(ROOT, dir)).filter((x) => x.endsWith('.ts')))
        expect(`${dir}/${f}: ${/slack\.com\/api\//.test(read(`${dir}/${f}`))}`).toBe(`${dir}/${f}: false`);
  });

  it('is where docs/slack.md says to paste from', () => {
    expect(read('docs/slack.md')).toContain('(slack-app-manifest.yaml)');
  });
});
