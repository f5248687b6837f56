import { useEffect, useRef } from 'react';

/**
 * Calls `tick` every `delay` ms while `delay` is not null. Ticks never overlap (the next
 * one is scheduled after the previous finished) and are skipped while the tab is hidden.
 */
export function useInterval(tick: () => Promise<void> | void, delay: number | null): void {
  const saved = useRef(tick);
  useEffect(() => {
    saved.current = tick;
  }, [tick]);

  useEffect(() => {
    if (delay === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const schedule = (): void => {
      timer = setTimeout(async () => {
        if (!document.hidden) {
          try {
            await saved.current();
          } catch {
            // the caller shows its own errors
          }
        }
        if (!stopped) schedule();
      }, delay);
    };
    schedule();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [delay]);
}
