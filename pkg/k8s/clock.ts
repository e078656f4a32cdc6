/**
 * The time source of the watchdog: the same shape as the controller's Clock
 * (controller/clock.ts), declared here so pkg/ never imports controller/.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface K8sClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process clock; timers are unref'd so an idle watchdog never holds the process open. */
export function realClock(): K8sClock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 0;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = ++next;
      const timer = setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timer.unref();
      timers.set(id, timer);
      return { id };
    },
    clearTimeout(handle) {
      clearTimeout(timers.get(handle.id));
      timers.delete(handle.id);
    },
  };
}
