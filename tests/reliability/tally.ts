/**
 * What the reliability suite did, for the one summary line it prints at the end. Each count is
 * taken from what the simulated resources and queues saw (the soak's ledger, the queues, the
 * fault plans), never worked out from the other counts.
 */
export const tally = {
  faultsInjected: 0,
  faultsAfterWrite: 0,
  inputsTried: 0,
  actionsTaken: 0,
  effectsAppliedTwice: 0,
  actionsAfterKillSwitch: 0,
  approvalsLost: 0,
  messagesIn: 0,
  messagesOut: 0,
  deadLettered: 0,
};

export function summaryLine(): string {
  const t = tally;
  return (
    `reliability: faults injected ${t.faultsInjected} (after the write ${t.faultsAfterWrite}), ` +
    `inputs tried ${t.inputsTried}, actions taken ${t.actionsTaken}, ` +
    `effects applied twice ${t.effectsAppliedTwice}, actions after kill switch ${t.actionsAfterKillSwitch}, ` +
    `approvals lost ${t.approvalsLost}, ` +
    `messages in ${t.messagesIn} / out ${t.messagesOut} / dead-lettered ${t.deadLettered}`
  );
}
