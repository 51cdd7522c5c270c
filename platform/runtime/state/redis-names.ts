// Redis key names of one input partition's view. All carry the pipeline's hash tag, so a MULTI
// over them stays in one Redis Cluster slot.
export interface ViewNames {
  mark: string;
  keySet: string;
  stateKey(member: string): string;
}

export function viewNames(tag: string, input: string, partition: number): ViewNames {
  return {
    mark: `${tag}:mark:${input}:${partition}`,
    keySet: `${tag}:keys:${input}:${partition}`,
    stateKey: (member) => `${tag}:state:${member}`,
  };
}
