#!/usr/bin/env node
/**
 * The `cdk8s-cilium` command line. One file per command under src/cli; each is a thin shell over library functions.
 * Add a command by writing `add<Name>Command(program, io, done)` in its own file and calling it in `buildProgram`.
 */
import { Command, CommanderError } from 'commander';
import { CiliumPolicyError } from '../core/errors';
import {
  CliIo, EXIT, addTraceCommand, commanderOutput, errorLine, refuseEmptyPaths, refuseMisspeltRequiredOption, refuseOptionWithoutValue,
  refuseRepeatedOptions,
} from './trace';
import { addDiffCommand } from './diff';
import { addDraftCommand } from './draft';
import { addInitCommand } from './init';
import { packageInfo } from './package-info';
import { addReplayCommand } from './replay';
import { addReportCommand } from './report';
import { addValidateCommand } from './validate';

/** The process's stdout/stderr. */
export const PROCESS_IO: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** This package's version, from its package.json. */
export function packageVersion(): string {
  return packageInfo().version;
}

/**
 * The program with all commands.
 * @param done receives the exit code of a command that ran
 */
export function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('cdk8s-cilium')
    .description('Cilium network policy tools for cdk8s')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput(commanderOutput(io))
    .showHelpAfterError(false);
  addTraceCommand(program, io, done);
  addValidateCommand(program, io, done);
  addReplayCommand(program, io, done);
  addDraftCommand(program, io, done);
  addInitCommand(program, io, done);
  addDiffCommand(program, io, done);
  addReportCommand(program, io, done);
  for (const command of program.commands) refuseEmptyPaths(refuseRepeatedOptions(command));
  // Before the subcommand checks its required options: a misspelt one is named as such, not as missing, and so is one whose
  // value was taken by commander from the option after it.
  program.hook('preSubcommand', (parent, sub) => {
    refuseOptionWithoutValue(sub, parent.args.slice(1));
    refuseMisspeltRequiredOption(sub, parent.args.slice(1));
  });
  return program;
}

/**
 * Runs the CLI in-process.
 * @param argv the arguments after the program name, e.g. `['trace', '--policies', 'dist', …]`
 * @returns the exit code: 0 success/allowed, 1 denied or findings, 2 bad input
 */
export async function runAsync(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  let code: number = EXIT.allowed;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT.badInput;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    return reportError(e, io);
  }
  return code;
}

/**
 * Runs a synchronous command (`trace`, `--version`, `--help`) in-process; `validate`, `replay`, `draft`, `diff` and `report`
 * need `runAsync`.
 * @returns the exit code: 0 success/allowed, 1 denied, 2 bad input
 */
export function run(argv: readonly string[], io: CliIo = PROCESS_IO): number {
  let code: number = EXIT.allowed;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT.badInput;
  }
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    return reportError(e, io);
  }
  return code;
}

function reportError(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    // help and version are printed by commander and exit 0; every other commander error was printed as one line.
    return e.exitCode === 0 ? 0 : EXIT.badInput;
  }
  if (e instanceof CiliumPolicyError) {
    io.stderr(errorLine(e));
    return EXIT.badInput;
  }
  io.stderr(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  return EXIT.badInput;
}

/**
 * The exit code and the line for standard output that failed. A reader that closes the pipe early (`cdk8s-cilium diff … |
 * head -1`) is no failure: the command's own status (set once it has written its output), quietly. Any other write error
 * (`> out.json` on a full disk: ENOSPC, EIO, EFBIG) left the output cut short, so the status is 2 and the line says so:
 * exit 1 there was read as DENIED or as findings, after a stack trace.
 */
export function stdoutFailure(e: NodeJS.ErrnoException, commandStatus: number | undefined): { code: number; line?: string } {
  if (e.code === 'EPIPE') return { code: commandStatus ?? EXIT.allowed };
  const why = (e.message ?? String(e)).split('\n')[0].replace(/^[A-Z0-9_]+: /, '').replace(/, write$/, '');
  return {
    code: EXIT.badInput,
    line: `error: cannot write the output: ${why}${e.code && !why.includes(e.code) ? ` (${e.code})` : ''}; what was written is incomplete (cli-output); `
      + 'fix: free space on the device the output goes to, or write it elsewhere\n',
  };
}

if (require.main === module) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    const { code, line } = stdoutFailure(e, typeof process.exitCode === 'number' ? process.exitCode : undefined);
    if (line !== undefined) {
      try {
        process.stderr.write(line);
      } catch {
        // standard error cannot be written either: the status says it
      }
    }
    process.exit(code);
  });
  void runAsync(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
