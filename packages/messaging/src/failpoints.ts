/** The places where a process can be made to die, for crash tests. */
export const FAILPOINTS = [
  'relay:after-commit-before-publish',
  'relay:after-publish-before-mark-sent',
  'consumer:after-commit-before-ack',
] as const;

export type Failpoint = (typeof FAILPOINTS)[number];

export type FailpointTrigger = (name: Failpoint) => void;

/**
 * Returns a trigger that SIGKILLs this process when it reaches one of the enabled
 * failpoints (set through configuration, e.g. FAILPOINTS=relay:after-publish-before-mark-sent).
 * With none enabled it does nothing.
 */
export function createFailpoints(enabled: readonly string[], onTrigger?: (name: Failpoint) => void): FailpointTrigger {
  const active = new Set(enabled);
  return (name) => {
    if (!active.has(name)) return;
    onTrigger?.(name);
    process.kill(process.pid, 'SIGKILL');
  };
}
