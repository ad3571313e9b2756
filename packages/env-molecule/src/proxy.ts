import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EnvParams, Rng, UserError, textParam } from '@gflownet/core';
import * as tf from '@gflownet/core/tf';
import { MORGAN, morganFingerprint } from './chem/fingerprint.js';
import { type RDKit, withMol } from './chem/rdkit.js';
import type { BatchScorer, MoleculeReward } from './rewards.js';

/** What a proxy directory holds besides the tfjs model: how to featurize and un-normalize. */
export interface ProxyInfo {
  format: 'gflownet-ts-proxy';
  fingerprint: { radius: number; nBits: number };
  target: { mean: number; std: number };
  trainedOn: number;
}

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';
const INFO_FILE = 'proxy.json';

/** Morgan fingerprints (radius 2, 2048 bits) of molecules as a [n, 2048] float tensor's data. */
export function fingerprintFeatures(rdkit: RDKit, smiles: readonly string[]): Float32Array {
  const bits = MORGAN.nBits;
  const out = new Float32Array(smiles.length * bits);
  smiles.forEach((s, i) => {
    const fp = withMol(rdkit, s, (mol) => (mol ? morganFingerprint(mol) : null));
    if (!fp) return;
    for (let b = 0; b < bits; b++) out[i * bits + b] = (fp[b >> 3]! >> (7 - (b & 7))) & 1;
  });
  return out;
}

/** Saves a layers model as a tfjs model directory (model.json + weights.bin) with its info. */
export async function saveProxy(
  model: tf.LayersModel,
  dir: string,
  info: ProxyInfo,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData as ArrayBuffer;
      writeFileSync(join(dir, WEIGHTS_FILE), Buffer.from(weights));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: 'gflownet-ts',
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, MODEL_FILE), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  writeFileSync(join(dir, INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

interface LoadedFiles {
  info: ProxyInfo;
  artifacts: tf.io.ModelArtifacts;
}

/** Reads and checks a proxy directory; every problem is a UserError naming the file. */
export function readProxyFiles(dir: string): LoadedFiles {
  if (!existsSync(dir)) {
    throw new UserError(
      `proxy model directory '${dir}' does not exist (make one with gfn molecule train-proxy)`,
    );
  }
  const need = (file: string) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new UserError(`proxy model directory '${dir}' has no ${file}`);
    return path;
  };
  const parse = (file: string): unknown => {
    try {
      return JSON.parse(readFileSync(need(file), 'utf8'));
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`${join(dir, file)} is not valid JSON`);
    }
  };
  const info = parse(INFO_FILE) as ProxyInfo;
  if (info?.format !== 'gflownet-ts-proxy' || typeof info.target?.std !== 'number') {
    throw new UserError(
      `${join(dir, INFO_FILE)} is not a proxy description from gfn molecule train-proxy`,
    );
  }
  const model = parse(MODEL_FILE) as {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const manifest = model.weightsManifest?.[0];
  if (!model.modelTopology || !manifest) {
    throw new UserError(`${join(dir, MODEL_FILE)} is not a tfjs layers model`);
  }
  const data = readFileSync(need(manifest.paths[0] ?? WEIGHTS_FILE));
  return {
    info,
    artifacts: {
      modelTopology: model.modelTopology,
      weightSpecs: manifest.weights,
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    },
  };
}

/** A trained proxy: predicts a score from a molecule's Morgan fingerprint. */
export class ProxyScorer implements BatchScorer {
  readonly name = 'proxy';
  private model: Promise<tf.LayersModel> | undefined;
  private readonly files: LoadedFiles;

  constructor(
    private readonly rdkit: RDKit,
    readonly dir: string,
  ) {
    this.files = readProxyFiles(dir);
  }

  private load(): Promise<tf.LayersModel> {
    this.model ??= tf.loadLayersModel(tf.io.fromMemory(this.files.artifacts)).catch((err) => {
      throw new UserError(
        `cannot load the proxy model in '${this.dir}': ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    return this.model;
  }

  async score(smiles: readonly string[]): Promise<Float64Array> {
    const model = await this.load();
    const { mean, std } = this.files.info.target;
    const x = tf.tensor2d(fingerprintFeatures(this.rdkit, smiles), [smiles.length, MORGAN.nBits]);
    const y = model.predict(x) as tf.Tensor;
    const values = await y.data();
    tf.dispose([x, y]);
    return Float64Array.from(values, (v) => v * std + mean);
  }

  dispose(): void {
    void this.model?.then((m) => m.dispose());
  }
}

export const proxyReward: MoleculeReward = {
  name: 'proxy',
  description: 'a neural proxy on Morgan fingerprints (--proxy DIR from gfn molecule train-proxy)',
  create: (rdkit: RDKit, params: EnvParams) => {
    const dir = textParam(params, 'proxy', '');
    if (dir === '') {
      throw new UserError(
        '--reward proxy needs --proxy DIR (a model made by gfn molecule train-proxy)',
      );
    }
    return new ProxyScorer(rdkit, dir);
  },
};

export interface ProxyTrainingOptions {
  epochs: number;
  hidden: number;
  lr: number;
  seed: number;
  /** Fraction of the rows held out to report the validation error. */
  validation: number;
  onEpoch?: (epoch: number, trainMse: number, validMse: number) => void;
}

/**
 * Trains an MLP (fingerprint -> hidden ReLU -> score) on normalized scores with Adam and MSE;
 * returns the model and its info. Rows are shuffled with the seed; `validation` of them are held
 * out.
 */
export async function trainProxy(
  rdkit: RDKit,
  rows: readonly { smiles: string; score: number }[],
  o: ProxyTrainingOptions,
): Promise<{ model: tf.LayersModel; info: ProxyInfo; validMse: number }> {
  const rng = new Rng(o.seed);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const shuffled = order.map((i) => rows[i]!);
  const nValid = Math.floor(shuffled.length * o.validation);
  const train = shuffled.slice(nValid);
  const valid = shuffled.slice(0, nValid);
  const mean = train.reduce((s, r) => s + r.score, 0) / train.length;
  const std = Math.sqrt(train.reduce((s, r) => s + (r.score - mean) ** 2, 0) / train.length) || 1;
  const tensors = (part: typeof rows) => ({
    x: tf.tensor2d(
      fingerprintFeatures(
        rdkit,
        part.map((r) => r.smiles),
      ),
      [part.length, MORGAN.nBits],
    ),
    y: tf.tensor2d(
      Float32Array.from(part, (r) => (r.score - mean) / std),
      [part.length, 1],
    ),
  });
  const t = tensors(train);
  const v = nValid > 0 ? tensors(valid) : null;
  const init = (k: number) => tf.initializers.glorotUniform({ seed: o.seed + k });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [MORGAN.nBits],
        units: o.hidden,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tf.layers.dense({ units: 1, kernelInitializer: init(2) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(o.lr), loss: 'meanSquaredError' });
  let validMse = NaN;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const h = await model.fit(t.x, t.y, { epochs: 1, batchSize: 64, shuffle: true, verbose: 0 });
    const trainMse = (h.history['loss']![0] as number) * std * std;
    if (v) {
      const pred = model.predict(v.x) as tf.Tensor;
      const mse = tf.tidy(() => pred.sub(v.y).square().mean());
      validMse = (await mse.data())[0]! * std * std;
      tf.dispose([pred, mse]);
    }
    o.onEpoch?.(epoch, trainMse, validMse);
  }
  tf.dispose([t.x, t.y, ...(v ? [v.x, v.y] : [])]);
  return {
    model,
    info: {
      format: 'gflownet-ts-proxy',
      fingerprint: { ...MORGAN },
      target: { mean, std },
      trainedOn: train.length,
    },
    validMse,
  };
}
