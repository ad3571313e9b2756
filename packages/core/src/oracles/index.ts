/** '@gflownet/core/oracles': expensive black-box scoring with batching, retries and a cache. */
export { type Oracle, FunctionOracle } from './oracle.js';
export { type OracleClientOptions, type OracleStats, OracleClient } from './client.js';
export { ScoreLog } from './cache.js';
export { CommandOracle } from './command.js';
export { HttpOracle } from './http.js';
export { parseOracle } from './parse.js';
export {
  type OracleReward,
  type OracleScoring,
  OracleScorer,
  oracleObjects,
  scoreWithOracle,
} from './rewards.js';
export { oracleFlags, oracleClientFromFlags } from './flags.js';
