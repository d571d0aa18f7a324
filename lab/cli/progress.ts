/**
 * Progress of a long replay, on stderr so stdout stays the summary: a bar on a terminal, a plain
 * line every tenth of the way otherwise (CI logs, pipes), nothing with --no-progress.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** `done` of the total units so far; `label` names what is running now (e.g. the policy). */
  update(done: number, label: string): void;
  stop(): void;
}

export interface ProgressOptions {
  total: number;
  /** Unit shown after the counts, e.g. "simulated minutes". */
  unit: string;
  enabled: boolean;
  stream: NodeJS.WriteStream;
}

export function createProgress(options: ProgressOptions): Progress {
  if (!options.enabled || options.total <= 0) return { update: () => undefined, stop: () => undefined };
  return options.stream.isTTY ? barProgress(options) : lineProgress(options);
}

function barProgress({ total, unit, stream }: ProgressOptions): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `{bar} {percentage}% | {value}/{total} ${unit} | {label} | eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 10,
      // Counts with thousands separators, as in the table (43,200 rather than 43200).
      formatValue: (v, _options, type) =>
        type === 'value' || type === 'total' ? v.toLocaleString('en-US') : String(v),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    update: (done, label) => bar.update(Math.min(done, total), { label }),
    stop: () => bar.stop(),
  };
}

function lineProgress({ total, unit, stream }: ProgressOptions): Progress {
  const steps = 10;
  let printed = 0;
  return {
    update(done, label) {
      const step = Math.floor((Math.min(done, total) / total) * steps);
      if (step <= printed) return;
      printed = step;
      stream.write(
        `progress ${step * 10}%: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} (${label})\n`,
      );
    },
    stop: () => undefined,
  };
}
