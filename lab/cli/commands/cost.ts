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
    io.stdout.write(costReport(argv).text);
    return 0;
  },
};
