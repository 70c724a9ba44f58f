// A live call's deadlines (the gate's, the finalize grace): one timer per name, a new one
// replacing the old.
import type { TimerName } from '../domain/commands';

export class CallTimers {
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();

  set(timer: TimerName, ms: number, fire: () => void): void {
    this.clear(timer);
    this.timers.set(
      timer,
      setTimeout(() => {
        this.timers.delete(timer);
        fire();
      }, ms),
    );
  }

  clear(timer: TimerName): void {
    clearTimeout(this.timers.get(timer));
    this.timers.delete(timer);
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
