#!/usr/bin/env node
/**
 * The `cdk8s-cilium` command line. One file per command under src/cli; each is a thin shell over library functions.
 * Add a command by writing `add<Name>Command(program, io, done)` in its own file and calling it in `buildProgram`.
 */
import { writeSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CiliumPolicyError } from '../core/errors';
import { clipText } from '../model/clip-text';
import { withoutControls } from '../model/printable';
import {
  CliIo, EXIT, addTraceCommand, commanderOutput, errorLine, printableStderr, refuseEmptyPaths, refuseMisspeltRequiredOption, refuseOptionWithoutValue,
  refuseRepeatedOptions, stderrLines,
} from './trace';
import { addDiffCommand } from './diff';
import { addDraftCommand } from './draft';
import { addInitCommand } from './init';
import { packageInfo } from './package-info';
import { addReplayCommand } from './replay';
import { addReportCommand } from './report';
import { addValidateCommand } from './validate';
import { addYamlValuesOption, inCommandRun } from './yaml-values-option';

/**
 * Writes all of `text` to file descriptor `fd`, synchronously, or throws the write's error. `write(2)` may write less
 * than it was given (a file-size limit, `ulimit -f`: 1,024 of 313,831 bytes), which Node's `process.stdout` does not
 * check: the rest is written in turn, and a write of nothing is an error (EFBIG, ENOSPC, …). A descriptor left
 * non-blocking (EAGAIN) is waited on.
 */
export function writeAll(fd: number, text: string, write: (fd: number, buffer: Uint8Array, offset: number) => number = writeSync): void {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    let n: number;
    try {
      n = write(fd, buffer, offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      continue;
    }
    if (n <= 0) throw Object.assign(new Error('the device took no more of it'), { code: 'EIO' });
    offset += n;
  }
}

/**
 * The bin's stdout/stderr: every byte written, or a failure handled at once. Standard output that cannot be written is
 * exit 2 and one line (`stdoutFailure`); a reader that closed the pipe early (EPIPE) leaves the command to finish with its
 * own status, its further output dropped. Standard error that cannot be written is ignored (`2>/dev/full`): the exit code
 * stays the command's, never a crash.
 */
export function processIo(exit: (code: number) => never = (code) => process.exit(code),
  write: (fd: number, buffer: Uint8Array, offset: number) => number = writeSync): CliIo {
  let stdoutClosed = false;
  const stderr = (text: string): void => {
    try {
      writeAll(2, text, write);
    } catch {
      // standard error cannot be written: the exit code says what happened
    }
  };
  return {
    stdout: (text) => {
      if (stdoutClosed) return;
      try {
        writeAll(1, text, write);
      } catch (e) {
        const { code, line } = stdoutFailure(e as NodeJS.ErrnoException, undefined);
        if (line === undefined) {
          stdoutClosed = true;
          return;
        }
        stderr(line);
        exit(code);
      }
    },
    stderr,
  };
}

/** The process's stdout/stderr (every byte written or exit 2, as `processIo`). */
export const PROCESS_IO: CliIo = processIo();

/** This package's version, from its package.json. */
export function packageVersion(): string {
  return packageInfo().version;
}

/**
 * The program with all commands.
 * @param given where it writes; its standard error one printable line a write (`printableStderr`)
 * @param done receives the exit code of a command that ran
 */
export function buildProgram(given: CliIo, done: (code: number) => void): Command {
  const io = printableStderr(given);
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
  for (const command of program.commands) refuseEmptyPaths(refuseRepeatedOptions(addYamlValuesOption(command)));
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
 * @param given where it writes; its standard error one printable line a write (`printableStderr`)
 * @returns the exit code: 0 success/allowed, 1 denied or findings, 2 bad input
 */
export async function runAsync(argv: readonly string[], given: CliIo = PROCESS_IO): Promise<number> {
  const io = printableStderr(given);
  let code: number = EXIT.allowed;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    stderrLines(io, program.helpInformation());
    return EXIT.badInput;
  }
  try {
    await inCommandRun(() => program.parseAsync([...argv], { from: 'user' }));
  } catch (e) {
    return reportError(e, io);
  }
  return code;
}

/**
 * Runs a synchronous command (`trace`, `--version`, `--help`) in-process; `validate`, `replay`, `draft`, `diff` and `report`
 * need `runAsync`.
 * @param given where it writes; its standard error one printable line a write (`printableStderr`)
 * @returns the exit code: 0 success/allowed, 1 denied, 2 bad input
 */
export function run(argv: readonly string[], given: CliIo = PROCESS_IO): number {
  const io = printableStderr(given);
  let code: number = EXIT.allowed;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    stderrLines(io, program.helpInformation());
    return EXIT.badInput;
  }
  try {
    inCommandRun(() => program.parse([...argv], { from: 'user' }));
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
  // An unexpected error's message may quote the input (a file name, a value): clipped and its control characters replaced,
  // as `errorLine` does for the refusals, so that no escape sequence of a hostile input reaches the terminal.
  io.stderr(`error: ${withoutControls(clipText(e instanceof Error ? e.message : String(e)))}\n`);
  return EXIT.badInput;
}

/**
 * The exit code and the line for standard output that failed. A reader that closes the pipe early (`cdk8s-cilium diff … |
 * head -1`) is no failure: the command's own status (set once it has written its output), quietly. Any other write error
 * (`> out.json` on a full disk: ENOSPC, EIO, EFBIG) left the output cut short, so the status is 2 and the line says so:
 * exit 1 there was read as DENIED or as findings, after a stack trace. The id is `cli-write` (`cli-output` is an unknown
 * `--output` format); the line names the error (ENOSPC, EFBIG, EIO) and a fix for it.
 */
export function stdoutFailure(e: NodeJS.ErrnoException, commandStatus: number | undefined): { code: number; line?: string } {
  if (e.code === 'EPIPE') return { code: commandStatus ?? EXIT.allowed };
  const why = (e.message ?? String(e)).split('\n')[0].replace(/^[A-Z0-9_]+: /, '').replace(/, write$/, '');
  const fix = e.code === 'ENOSPC' ? 'free space on the device the output goes to, or write it elsewhere'
    : e.code === 'EFBIG' ? 'raise the file-size limit (ulimit -f) or write the output elsewhere'
      : 'write the output elsewhere';
  return {
    code: EXIT.badInput,
    line: `error: cannot write the output: ${why}${e.code && !why.includes(e.code) ? ` (${e.code})` : ''}; what was written is incomplete (cli-write); `
      + `fix: ${fix}\n`,
  };
}

if (require.main === module) {
  // What writes to the streams outside `PROCESS_IO` (Node's own warnings): a failure of stdout as there, of stderr ignored.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    const { code, line } = stdoutFailure(e, typeof process.exitCode === 'number' ? process.exitCode : undefined);
    if (line !== undefined) PROCESS_IO.stderr(line);
    process.exit(code);
  });
  process.stderr.on('error', () => undefined);
  void runAsync(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
