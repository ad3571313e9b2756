import 'reflect-metadata';
import { Container, type ContainerModule } from 'inversify';
import { EnvFactory, type ParamSpec } from '../env/env.js';
import { UserError } from '../errors.js';
import { LossPlugin } from '../losses/loss.js';
import { PenaltyPlugin } from '../losses/penalty.js';
import { BackwardPolicyPlugin } from '../policies/backward.js';
import { ReplayBufferPlugin } from '../replay/buffers.js';
import { SamplerPlugin } from '../samplers/sampler.js';
import { coreModule } from './builtins.js';
import { CommandContribution } from './command.js';
import { type PluginInfo, choosePlugin, pickByName } from './plugin.js';
import type { Token } from './token.js';

/** A module with the place it was loaded from, named in errors (e.g. a clash of plugin names). */
export interface PluginModule {
  module: ContainerModule;
  /** A path, a package name or 'built-in'. */
  from: string;
}

interface Named {
  readonly name: string;
}

/** The kinds of named contribution whose names must be unique, with their listing label. */
const KINDS: readonly { kind: string; token: Token<Named> }[] = [
  { kind: 'env', token: EnvFactory },
  { kind: 'loss', token: LossPlugin },
  { kind: 'backward', token: BackwardPolicyPlugin },
  { kind: 'penalty', token: PenaltyPlugin },
  { kind: 'sampler', token: SamplerPlugin },
  { kind: 'replay', token: ReplayBufferPlugin },
  { kind: 'command', token: CommandContribution },
];

export interface PluginListing {
  name: string;
  description: string;
  options: readonly ParamSpec[];
}

/**
 * The registry of contributions: env factories, objectives, backward policies, penalties,
 * samplers, replay buffers, CLI commands, and whatever other packages declare (spec externs,
 * molecule rewards). It holds contributions and nothing else: `createRun` reads what it needs
 * from it by name. The core's own plugins are always loaded first.
 */
export class PluginRegistry {
  private constructor(private readonly container: Container) {}

  /**
   * Loads the core module, then each module in order. A module that registers a name its kind
   * already has is an error naming both modules.
   */
  static load(modules: readonly (ContainerModule | PluginModule)[]): PluginRegistry {
    const container = new Container();
    const owners = new Map<string, string>();
    const sources: PluginModule[] = [
      { module: coreModule, from: 'built-in' },
      ...modules.map((m, i) => ('module' in m ? m : { module: m, from: `module #${i + 1}` })),
    ];
    const seen = new Map<string, number>();
    for (const { module, from } of sources) {
      container.loadSync(module);
      for (const { kind, token } of KINDS) {
        const all = container.isBound(token) ? container.getAll(token) : [];
        // Bindings resolve in load order: what this module added is the tail.
        for (const { name } of all.slice(seen.get(kind) ?? 0)) {
          const owner = owners.get(`${kind}\0${name}`);
          if (owner !== undefined) {
            throw new UserError(
              owner === from
                ? `${from} registers ${kind} '${name}' twice`
                : `${kind} '${name}' from ${from} clashes with the ${kind} of that name from ${owner}; rename one of them`,
            );
          }
          owners.set(`${kind}\0${name}`, from);
        }
        seen.set(kind, all.length);
      }
    }
    return new PluginRegistry(container);
  }

  /** Every contribution under a token, in load order. */
  all<T>(token: Token<T>): T[] {
    return this.container.isBound(token) ? this.container.getAll<T>(token) : [];
  }

  /** The env factory called `name`, or a UserError that lists the registered ones. */
  envFactory(name: string): EnvFactory {
    return pickByName(this.all(EnvFactory), name, 'env');
  }

  /**
   * The plugin that a `NAME[:KEY=VALUE,...]` choice names, with its options range-checked and
   * completed with defaults; `flag` names the flag in errors.
   */
  choose<T extends PluginInfo>(
    token: Token<T>,
    choice: string,
    kind: string,
    flag: string,
  ): { plugin: T; options: Record<string, number> } {
    return choosePlugin(this.all(token), choice, kind, flag);
  }

  /** Name, description and options of every plugin that can be chosen by name, by kind. */
  list(): Record<string, PluginListing[]> {
    const out: Record<string, PluginListing[]> = {};
    for (const { kind, token } of KINDS) {
      if (kind === 'command') continue;
      out[kind] = this.all(token as Token<PluginInfo & { params?: readonly ParamSpec[] }>).map(
        (p) => ({
          name: p.name,
          description: p.description,
          options: p.params ?? p.options ?? [],
        }),
      );
    }
    return out;
  }
}
