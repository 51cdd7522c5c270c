// Public face of platform/regions: the region registry. Where each region's broker, web service
// and Redis are, and which token the platform uses, read from the local stack's stack.json or,
// in external mode, from the environment.
export type { RegionInfo, StackInfo } from './registry.ts';
export {
  defaultStateDir,
  isExternalMode,
  loadStackInfo,
  readSuperuserToken,
  regionByName,
  repoRoot,
} from './registry.ts';
