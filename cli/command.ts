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
  /** Flags of this command that take no value. */
  booleans?: string[];
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}
