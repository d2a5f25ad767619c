/** Agent targeting: which agent runs a host's operations (queue `agent-<name>`). */
import type { DeploymentNode, NodeInstance } from '../model.ts';

/** `agent_config.name` of the host node when it is a non-empty string, else the host instance id. */
export function agentNameOf(
  hostNode: Pick<DeploymentNode, 'properties'>,
  hostInstance: Pick<NodeInstance, 'id'>,
): string {
  const cfg = hostNode.properties.agent_config;
  if (cfg && typeof cfg === 'object' && !Array.isArray(cfg)) {
    const name = (cfg as Record<string, unknown>).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return hostInstance.id;
}
