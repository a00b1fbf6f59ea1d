/** Path of the anvil or forge binary: from node_modules, else PATH; throws a clear error if none. */
export function foundryBinary(tool: 'anvil' | 'forge'): string;
