// The `jsii` compiler as `npm run jsii:check` (scripts/jsii-check.mjs) runs it: the `jsii` bin with its arguments and
// its own checks, diagnostics and .jsii assembly, without writing the compiled JavaScript and declaration files. The
// check reads only the diagnostics and the assembly, and the files would be thrown away with the temp copy.
//
// jsii's compile is TypeScript's pre-emit diagnostics (syntax, options, semantics, and declarations: jsii's tsconfig sets
// `declaration`), then its assembler over the type checker, which writes the assembly, then the program's emit of
// every file (inline source maps included) through the assembler's transformers, which only shape that output. The emit
// is replaced by one that writes nothing (≈ 1–3 s of CPU); what jsii prints and the assembly are the same byte for byte
// (checked on this tree, and on copies with a TypeScript error and with a jsii error).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const jsii = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'jsii');
const load = createRequire(import.meta.url);
const { Compiler } = load(join(jsii, 'lib', 'compiler.js'));
const consumeProgram = Compiler.prototype.consumeProgram;
if (typeof consumeProgram !== 'function') throw new Error('jsii-assembly-only: jsii\'s Compiler has no consumeProgram (a new jsii?)');
Compiler.prototype.consumeProgram = function (program, stdlib) {
  program.emit = () => ({ emitSkipped: false, diagnostics: [], emittedFiles: undefined });
  return consumeProgram.call(this, program, stdlib);
};
load(join(jsii, 'lib', 'main.js'));
