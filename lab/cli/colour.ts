/**
 * Colour for people at a terminal, never for a pipe or a file: only when the stream is a TTY, and
 * never when NO_COLOR is set to anything but an empty string (https://no-color.org) or TERM is dumb.
 */
export type Style = 'plain' | 'ansi';
export type Colour = 'red' | 'green' | 'yellow' | 'bold' | 'dim';

const CODES: Record<Colour, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  bold: [1, 22],
  dim: [2, 22],
};

/** How to write to `stream`, from whether it is a terminal and the environment. */
export function styleFor(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = process.env,
): Style {
  if (stream.isTTY !== true) return 'plain';
  if ((env['NO_COLOR'] ?? '') !== '' || env['TERM'] === 'dumb') return 'plain';
  return 'ansi';
}

export function paint(style: Style, colour: Colour, text: string): string {
  if (style === 'plain') return text;
  const [on, off] = CODES[colour];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}
