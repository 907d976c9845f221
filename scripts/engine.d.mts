export type EngineName = 'docker' | 'podman';
export declare const ENGINES: EngineName[];
export declare const COMPOSE_TOOLS: string[];
export declare const PODMAN_SOCKET: string;
export declare function flag(argv: string[], name: string): string | undefined;
export declare function engineName(opts?: { argv?: string[]; env?: NodeJS.ProcessEnv }): EngineName;
export interface ContainerEngine {
  name: EngineName;
  cli: EngineName;
  buildFlags: string[];
  compose: { tool: string; cmd: string; args: string[]; env: Record<string, string>; line: string };
}
export declare function containerEngine(
  name?: EngineName,
  opts?: { argv?: string[]; env?: NodeJS.ProcessEnv },
): ContainerEngine;
