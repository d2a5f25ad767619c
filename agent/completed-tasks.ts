/**
 * Results of the (task, attempt) pairs this executor already ran, newest kept, so that a redelivered
 * message re-sends its result instead of running the script twice. Bounded: least recently used goes.
 */
import type { TaskMessage, TaskResult } from '../core/messages.ts';

export class CompletedTasks {
  readonly #max: number;
  readonly #results = new Map<string, TaskResult>();

  constructor(max = 1000) {
    this.#max = max;
  }

  static key(task: Pick<TaskMessage, 'execution_id' | 'task_id' | 'attempt'>): string {
    return `${task.execution_id}/${task.task_id}/${task.attempt}`;
  }

  get(key: string): TaskResult | undefined {
    const result = this.#results.get(key);
    if (result) {
      this.#results.delete(key);
      this.#results.set(key, result);
    }
    return result;
  }

  set(key: string, result: TaskResult): void {
    this.#results.delete(key);
    this.#results.set(key, result);
    while (this.#results.size > this.#max) {
      const oldest = this.#results.keys().next().value;
      if (oldest === undefined) break;
      this.#results.delete(oldest);
    }
  }
}
