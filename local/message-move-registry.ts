// The embedded cloud's message move tasks and their life cycle, as ListMessageMoveTasks reports them.

export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

export interface MoveTask {
  handle: string;
  sourceArn: string;
  destinationArn: string | undefined;
  maxPerSecond: number | undefined;
  /** The dead-letter queue's ApproximateNumberOfMessages when the task started. */
  toMove: number;
  moved: number;
  status: MoveTaskStatus;
  startedTimestamp: number;
  failureReason?: string;
}

export class MessageMoveTaskRegistry {
  private readonly tasks: MoveTask[] = [];

  add(task: Omit<MoveTask, "moved" | "status" | "startedTimestamp">): MoveTask {
    const added: MoveTask = { ...task, moved: 0, status: "RUNNING", startedTimestamp: Date.now() };
    this.tasks.push(added);
    return added;
  }

  /** The source's active task (RUNNING or CANCELLING), which blocks a second one. */
  running(sourceArn: string): MoveTask | undefined {
    return this.tasks.find((t) => t.sourceArn === sourceArn && (t.status === "RUNNING" || t.status === "CANCELLING"));
  }

  byHandle(handle: unknown): MoveTask | undefined {
    return this.tasks.find((t) => t.handle === handle);
  }

  /** The source's most recent tasks first, as ListMessageMoveTasks orders them. */
  recent(sourceArn: string, max: number): MoveTask[] {
    return this.tasks
      .filter((t) => t.sourceArn === sourceArn)
      .reverse()
      .slice(0, max);
  }

  /** Cancelling lets the batch in hand finish (sent and deleted), then the mover marks the task CANCELLED. */
  cancel(task: MoveTask): void {
    task.status = "CANCELLING";
  }

  finish(task: MoveTask): void {
    task.status = task.status === "CANCELLING" ? "CANCELLED" : task.status === "RUNNING" ? "COMPLETED" : task.status;
  }

  fail(task: MoveTask, reason: string): void {
    task.status = "FAILED";
    task.failureReason = reason;
  }

  /** A ListMessageMoveTasksResultEntry: TaskHandle only while RUNNING, optional fields only when they were given. */
  entry(task: MoveTask): Record<string, unknown> {
    return {
      ...(task.status === "RUNNING" ? { TaskHandle: task.handle } : {}),
      Status: task.status,
      SourceArn: task.sourceArn,
      ...(task.destinationArn ? { DestinationArn: task.destinationArn } : {}),
      ...(task.maxPerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: task.maxPerSecond } : {}),
      ApproximateNumberOfMessagesMoved: task.moved,
      ApproximateNumberOfMessagesToMove: task.toMove,
      ...(task.failureReason ? { FailureReason: task.failureReason } : {}),
      StartedTimestamp: task.startedTimestamp,
    };
  }
}
