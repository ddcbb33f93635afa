/**
 * Child program of the soql-typecheck suite: type-checks everything an application file imports,
 * then times checking the file itself, and prints one JSON line
 * `{ fileCheckMs, fileWallMs, instantiations, errors }`.
 *
 * The suite runs it in a fresh process per measurement with `--single-threaded` (no background
 * GC or compiler threads), so the CPU time is the main thread's work for that file, GC it causes
 * included, and not the collection of other programs' garbage: in process, the concurrent
 * collection of earlier programs (hundreds of MB each) was charged to whichever file was being
 * timed, and turned a 30-50 ms check into 100-180 ms medians.
 *
 *   node --single-threaded tsc-probe.mjs <file.ts> <compilerOptions JSON>
 */
import ts from 'typescript';

const [file, optionsJson] = process.argv.slice(2);
if (!file || !optionsJson) throw new Error('usage: tsc-probe.mjs <file.ts> <compilerOptions JSON>');
const { options, errors: optionErrors } = ts.convertCompilerOptionsFromJson(JSON.parse(optionsJson), process.cwd());
if (optionErrors.length > 0) throw new Error(optionErrors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; '));
const program = ts.createProgram([file], options);
// getInstantiationCount() is what --extendedDiagnostics prints; it is not in the public typings.
const checker = program.getTypeChecker();
const app = program.getSourceFile(file);
if (!app) throw new Error(`probe: ${file} is not in the program`);
for (const sf of program.getSourceFiles()) if (sf !== app && !sf.isDeclarationFile) program.getSemanticDiagnostics(sf);
const before = checker.getInstantiationCount();
const cpuBefore = process.cpuUsage();
const started = performance.now();
const diagnostics = program.getSemanticDiagnostics(app);
const fileWallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    fileCheckMs: (cpu.user + cpu.system) / 1000,
    fileWallMs,
    instantiations: checker.getInstantiationCount() - before,
    errors: diagnostics.map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`),
  })}\n`,
);
