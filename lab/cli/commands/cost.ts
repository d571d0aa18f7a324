/**
 * `headroom cost`: the advisor's own monthly AWS bill. The model and its option parsing live in
 * `advisorBill/` (issue 6); this command only forwards to them.
 */
import { COST_HELP, costReport } from '../../bill/costCommand.js';
import type { Command } from './command.js';

export const costCommand: Command = {
  name: 'cost',
  summary: "model Headroom's own monthly AWS bill",
  help: COST_HELP,
  async run(argv, io) {
    // `--json -` (standard output) means what `--json` means here: the bill is printed, never a file.
    const args = argv.filter((a, i) => !(a === '-' && argv[i - 1] === '--json'));
    io.stdout.write(costReport(args).text);
    return 0;
  },
};
