/** '@gflownet/core/replay': replay buffers. */
export {
  DiverseBuffer,
  PrioritizedBuffer,
  type ReplayBuffer,
  ReplayBufferPlugin,
  TerminalStateBuffer,
  TrajectoryFifoBuffer,
} from './buffers.js';
