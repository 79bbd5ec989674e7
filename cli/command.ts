import type { ParsedArgs } from '../core/config/index.ts';

/** Where a command writes; tests pass their own. */
export interface CommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface Command {
  summary: string;
  usage: string;
  /** Flags of this command that take a value (`--since 7d`); any flag it does not declare is refused. */
  options: readonly string[];
  /** Flags of this command that take no value (`--json`). */
  booleans?: readonly string[];
  /** Flags that stand alone or take a value after "=" (`--faults`, `--faults=stale-flow`). */
  optional?: readonly string[];
  /** The most operands (arguments that are not flags) the command takes: 0 unless given; Infinity for a list. */
  operands?: number;
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}
