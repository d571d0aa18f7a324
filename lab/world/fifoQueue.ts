/**
 * SQS FIFO as the change worker meets it, with the delivery faults SQS and its callers produce:
 * a message delivered again after it was handled (its delete was lost, or its visibility timeout
 * ran out while it was handled), and messages of a group delivered out of order (two executions
 * sending to the same group race, so the later plan arrives first).
 */
export interface QueueMessage {
  id: string;
  body: string;
  groupId: string;
  receiveCount: number;
}

/** Handles a batch; returns the ids that failed (a throw fails them all), as an SQS consumer reports them. */
export type ChangeConsumer = (batch: readonly QueueMessage[]) => Promise<readonly string[]>;

export interface DeliveryFaults {
  /** Chance that a handled message is delivered once more. */
  duplicate: number;
  /** Chance that a group's second message is delivered before its first. */
  outOfOrder: number;
}

/**
 * A group delivers in order and not while an earlier message of it is in flight; a failed message
 * comes back after the visibility timeout, and after `maxReceiveCount` receives goes to the
 * dead-letter queue. Nothing is ever dropped.
 */
export class FifoQueue {
  private readonly messages: (QueueMessage & { visibleAt: number })[] = [];
  /** Copies delivered again later, outside the group's order (a lost delete, a second sender). */
  private readonly late: (QueueMessage & { visibleAt: number })[] = [];
  readonly deadLetters: QueueMessage[] = [];
  /** Messages sent, and messages handled and deleted (each message once, however often delivered). */
  sent = 0;
  private readonly deletedIds = new Set<string>();
  /** Per group, the newest message handled: an older one delivered after it came out of order. */
  private readonly newestHandled = new Map<string, number>();
  /** Delivery faults that happened. */
  duplicated = 0;
  reordered = 0;

  constructor(
    private readonly maxReceiveCount: number,
    private readonly visibilityMs: number,
    private readonly faults: DeliveryFaults = { duplicate: 0, outOfOrder: 0 },
    private readonly random: () => number = () => 1,
  ) {}

  get deleted(): number {
    return this.deletedIds.size;
  }

  send(body: string, groupId: string, at: number): void {
    this.sent += 1;
    this.messages.push({ id: `msg-${this.sent}`, body, groupId, receiveCount: 0, visibleAt: at });
  }

  get pending(): number {
    return this.messages.length + this.late.length;
  }

  receive(at: number, max = 10): QueueMessage[] {
    const blocked = new Set<string>();
    const out: QueueMessage[] = [];
    for (const copy of this.late.filter((m) => m.visibleAt <= at).slice(0, max)) {
      this.late.splice(this.late.indexOf(copy), 1);
      if (seq(copy.id) < (this.newestHandled.get(copy.groupId) ?? 0)) this.reordered += 1;
      copy.receiveCount += 1;
      out.push({ id: copy.id, body: copy.body, groupId: copy.groupId, receiveCount: copy.receiveCount });
      blocked.add(copy.groupId);
    }
    for (const [i, head] of this.messages.entries()) {
      if (out.length === max) break;
      if (blocked.has(head.groupId)) continue;
      blocked.add(head.groupId);
      let m = head;
      const next = this.messages.slice(i + 1).find((x) => x.groupId === head.groupId);
      if (
        next &&
        next.visibleAt <= at &&
        this.faults.outOfOrder > 0 &&
        this.random() < this.faults.outOfOrder
      ) {
        m = next;
        this.reordered += 1;
      } else if (m.visibleAt > at) continue;
      if (seq(m.id) < (this.newestHandled.get(m.groupId) ?? 0)) this.reordered += 1;
      m.receiveCount += 1;
      m.visibleAt = at + this.visibilityMs;
      out.push({ id: m.id, body: m.body, groupId: m.groupId, receiveCount: m.receiveCount });
    }
    return out;
  }

  /** Deletes the handled messages; the failed ones wait for their timeout or go to the dead-letter queue. */
  settle(batch: readonly QueueMessage[], failed: ReadonlySet<string>, at = 0): void {
    for (const m of batch) {
      const i = this.messages.findIndex((x) => x.id === m.id);
      // A late copy is done whatever its outcome: the original was handled.
      if (i < 0) continue;
      const [message] = this.messages.splice(i, 1);
      if (!failed.has(m.id)) {
        this.deletedIds.add(m.id);
        this.newestHandled.set(m.groupId, Math.max(this.newestHandled.get(m.groupId) ?? 0, seq(m.id)));
        if (this.faults.duplicate > 0 && this.random() < this.faults.duplicate) {
          // Delivered again, up to a day later: after the group's newer messages, out of order.
          this.duplicated += 1;
          this.late.push({
            ...message!,
            visibleAt: at + this.visibilityMs * (1 + Math.floor(this.random() * 720)),
          });
        }
      } else if (m.receiveCount >= this.maxReceiveCount) {
        this.deadLetters.push(m);
      } else {
        this.messages.splice(i, 0, message!);
      }
    }
  }
}

const seq = (id: string) => Number(id.slice('msg-'.length));

export async function deliver(
  queue: FifoQueue,
  consume: ChangeConsumer,
  at: number,
  max = 10,
): Promise<void> {
  const batch = queue.receive(at, max);
  if (batch.length === 0) return;
  let failed: ReadonlySet<string>;
  try {
    failed = new Set(await consume(batch));
  } catch {
    // The invocation failed: Lambda hands the whole batch back to SQS.
    failed = new Set(batch.map((m) => m.id));
  }
  queue.settle(batch, failed, at);
}
