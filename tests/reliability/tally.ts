/** What the reliability suite did, for the one summary line it prints at the end. */
export const tally = {
  faultsInjected: 0,
  inputsTried: 0,
  actionsTaken: 0,
  messagesIn: 0,
  messagesOut: 0,
  deadLettered: 0,
};

export function summaryLine(): string {
  const t = tally;
  return (
    `reliability: faults injected ${t.faultsInjected}, inputs tried ${t.inputsTried}, ` +
    `actions taken ${t.actionsTaken}, messages in ${t.messagesIn} / out ${t.messagesOut} / dead-lettered ${t.deadLettered}`
  );
}
