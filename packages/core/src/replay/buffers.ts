import type { DiscreteEnv } from '../env/env.js';
import { stateDistance, stateKey } from '../env/state-utils.js';
import type { PolicyModel } from '../policies/model.js';
import type { PluginInfo } from '../registry/plugin.js';
import { token } from '../registry/token.js';
import type { BackwardSampler } from '../samplers/backward.js';
import {
  type Segment,
  type Trajectories,
  assembleTrajectories,
  segmentOf,
} from '../samplers/trajectories.js';
import type { Rng } from '../util/rng.js';

/**
 * Stores what training has seen and hands some of it back: each iteration the trainer takes a
 * configurable share of its batch from the buffer, then adds the fresh trajectories.
 */
export interface ReplayBuffer {
  readonly name: string;
  readonly size: number;
  add(batch: Trajectories): void;
  /** `count` trajectories drawn from the buffer (it must not be empty). */
  sample(model: PolicyModel, count: number): Promise<Trajectories>;
  /** Its contents as plain JSON data, for a checkpoint (buffers without it restart empty). */
  saveState?(): unknown;
  /** Puts back what saveState returned. */
  loadState?(state: unknown): void;
}

/** A replay buffer by name (`--replay NAME[:KEY=VALUE,...]`). */
export interface ReplayBufferPlugin extends PluginInfo {
  create(context: {
    env: DiscreteEnv;
    rng: Rng;
    backward: BackwardSampler;
    options: Record<string, number>;
  }): ReplayBuffer;
}
export const ReplayBufferPlugin = token<ReplayBufferPlugin>('@gflownet/core/ReplayBufferPlugin');

/** At most `capacity` items; once full, each new item overwrites the oldest. */
class Ring<T> {
  readonly items: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  get state(): { items: T[]; next: number } {
    return { items: this.items, next: this.next };
  }

  restore(state: { items: T[]; next: number }): void {
    this.items.splice(0, this.items.length, ...state.items);
    this.next = state.next;
  }

  /** Adds an item; returns the one it evicted, if any. */
  push(item: T): T | undefined {
    let evicted: T | undefined;
    if (this.items.length < this.capacity) this.items.push(item);
    else [evicted, this.items[this.next]] = [this.items[this.next], item];
    this.next = (this.next + 1) % this.capacity;
    return evicted;
  }
}

/** Whole trajectories, first in first out, replayed as they were sampled. */
export class TrajectoryFifoBuffer implements ReplayBuffer {
  readonly name = 'fifo';
  private readonly ring: Ring<{ segment: Segment; logReward: number }>;

  constructor(
    private readonly env: DiscreteEnv,
    private readonly rng: Rng,
    readonly capacity: number,
  ) {
    this.ring = new Ring(capacity);
  }

  get size(): number {
    return this.ring.items.length;
  }

  add(batch: Trajectories): void {
    for (let b = 0; b < batch.count; b++) {
      this.ring.push({ segment: segmentOf(batch, b), logReward: batch.logRewards[b]! });
    }
  }

  saveState(): unknown {
    return this.ring.state;
  }

  loadState(state: unknown): void {
    this.ring.restore(state as { items: { segment: Segment; logReward: number }[]; next: number });
  }

  async sample(_model: PolicyModel, count: number): Promise<Trajectories> {
    const items = this.ring.items;
    const picked = Array.from({ length: count }, () => items[this.rng.int(items.length)]!);
    return assembleTrajectories(
      this.env,
      picked.map((p) => p.segment),
      Float64Array.from(picked, (p) => p.logReward),
    );
  }
}

interface TerminalEntry {
  key: string;
  state: Int32Array;
  logReward: number;
}

/**
 * Terminating states with their rewards, each stored once (by canonical key); replayed as
 * trajectories sampled backward from them with the current backward policy. This base class
 * evicts first in first out and replays uniformly.
 */
export class TerminalStateBuffer implements ReplayBuffer {
  readonly name: string = 'terminal';
  protected readonly keys = new Set<string>();
  private readonly ring: Ring<TerminalEntry>;

  constructor(
    protected readonly env: DiscreteEnv,
    protected readonly rng: Rng,
    protected readonly backward: BackwardSampler,
    readonly capacity: number,
  ) {
    this.ring = new Ring(capacity);
  }

  protected get entries(): TerminalEntry[] {
    return this.ring.items;
  }

  get size(): number {
    return this.entries.length;
  }

  add(batch: Trajectories): void {
    const terminal = batch.terminalStates();
    const d = this.env.stateDim;
    for (let b = 0; b < batch.count; b++) {
      const key = stateKey(this.env, terminal, b);
      if (this.keys.has(key)) continue;
      this.insert({
        key,
        state: terminal.slice(b * d, (b + 1) * d),
        logReward: batch.logRewards[b]!,
      });
    }
  }

  saveState(): unknown {
    const { items, next } = this.ring.state;
    return {
      next,
      items: items.map((e) => ({ key: e.key, state: Array.from(e.state), logReward: e.logReward })),
    };
  }

  loadState(state: unknown): void {
    const s = state as {
      next: number;
      items: { key: string; state: number[]; logReward: number }[];
    };
    const items = s.items.map((e) => ({ ...e, state: Int32Array.from(e.state) }));
    this.ring.restore({ items, next: s.next });
    this.keys.clear();
    for (const e of items) this.keys.add(e.key);
  }

  /** Adds a new entry (its key is not stored yet), evicting when full. */
  protected insert(entry: TerminalEntry): void {
    const evicted = this.ring.push(entry);
    if (evicted) this.keys.delete(evicted.key);
    this.keys.add(entry.key);
  }

  /** Indices of `count` entries to replay. */
  protected draw(count: number): number[] {
    return Array.from({ length: count }, () => this.rng.int(this.entries.length));
  }

  async sample(model: PolicyModel, count: number): Promise<Trajectories> {
    const d = this.env.stateDim;
    const states = new Int32Array(count * d);
    const logRewards = new Float64Array(count);
    this.draw(count).forEach((index, i) => {
      const e = this.entries[index]!;
      states.set(e.state, i * d);
      logRewards[i] = e.logReward;
    });
    return this.backward.sample(model, states, count, logRewards);
  }
}

/**
 * Reward-prioritized terminal states: when full, a new state replaces the lowest-reward entry if
 * its reward is higher; replay draws entry i with probability proportional to R_i^alpha.
 */
export class PrioritizedBuffer extends TerminalStateBuffer {
  override readonly name: string = 'prioritized';

  constructor(
    env: DiscreteEnv,
    rng: Rng,
    backward: BackwardSampler,
    capacity: number,
    readonly alpha: number,
  ) {
    super(env, rng, backward, capacity);
  }

  protected override insert(entry: TerminalEntry): void {
    if (this.entries.length < this.capacity) {
      this.entries.push(entry);
      this.keys.add(entry.key);
      return;
    }
    let worst = 0;
    for (let i = 1; i < this.entries.length; i++) {
      if (this.entries[i]!.logReward < this.entries[worst]!.logReward) worst = i;
    }
    if (entry.logReward <= this.entries[worst]!.logReward) return;
    this.keys.delete(this.entries[worst]!.key);
    this.entries[worst] = entry;
    this.keys.add(entry.key);
  }

  protected override draw(count: number): number[] {
    let max = -Infinity;
    for (const e of this.entries) max = Math.max(max, this.alpha * e.logReward);
    const cumulative: number[] = [];
    let total = 0;
    for (const e of this.entries)
      cumulative.push((total += Math.exp(this.alpha * e.logReward - max)));
    return Array.from({ length: count }, () => {
      const u = this.rng.next() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    });
  }
}

/**
 * Diversity-aware prioritized buffer: like `prioritized`, but a new state closer than `cutoff`
 * (the env's distance, or the L1 distance of the state ints) to a stored one is rejected.
 */
export class DiverseBuffer extends PrioritizedBuffer {
  override readonly name = 'diverse';

  constructor(
    env: DiscreteEnv,
    rng: Rng,
    backward: BackwardSampler,
    capacity: number,
    alpha: number,
    readonly cutoff: number,
  ) {
    super(env, rng, backward, capacity, alpha);
  }

  protected override insert(entry: TerminalEntry): void {
    for (const e of this.entries) {
      if (stateDistance(this.env, e.state, entry.state) < this.cutoff) return;
    }
    super.insert(entry);
  }
}
