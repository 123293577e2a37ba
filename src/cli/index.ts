export { type BackoffPolicy, DEFAULT_BACKOFF, restartDelayMs } from './backoff.ts';
export { runStart, type StartConfig, type StartIo, startSettings } from './start.ts';
export {
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  type ProcessInfo,
  type ProcessState,
  type RestartEvent,
  Supervisor,
  type SupervisorEvents,
  type SupervisorOptions,
} from './supervisor.ts';
export { type ProcessSpec, planStages, type Stage, type TopologyModule } from './topology.ts';
