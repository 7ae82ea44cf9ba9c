import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT_FIXTURE = path.join(ROOT, 'client/test/typeErrors.typecheck.ts');
const FIXTURES = [
  CLIENT_FIXTURE,
  path.join(ROOT, 'subgraphs/recipes/test/resolverTypes.typecheck.ts'),
  path.join(ROOT, 'subgraphs/comments/test/resolverTypes.typecheck.ts'),
  path.join(ROOT, 'subgraphs/comments/test/outboxTransaction.typecheck.ts'),
];
const DIRECTIVE = /\/\/ @ts-expect-error (.*)$/;

function rootConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('tsconfig.json could not be read');
  return parsed;
}

/** The type errors of one fixture under the root compiler options, its text replaced by `source`. */
function diagnosticsOf(fixture: string, source: string, options: ts.CompilerOptions) {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language) =>
    path.resolve(file) === fixture ? ts.createSourceFile(file, source, language) : getSourceFile(file, language);
  const program = ts.createProgram([fixture], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ({
    file: diagnostic.file && path.resolve(diagnostic.file.fileName),
    line:
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1
        : undefined,
    code: diagnostic.code,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  }));
}

/** With its directives removed, each fixture must fail exactly on the lines they announced. */
function withoutDirectives(fixture: string, options: ts.CompilerOptions) {
  const lines = readFileSync(fixture, 'utf8').split('\n');
  const announced = lines.flatMap((line, index) => (DIRECTIVE.test(line) ? [index + 2] : []));
  const stripped = lines.map((line) => line.replace(DIRECTIVE, '// (expectation removed)')).join('\n');
  const errors = diagnosticsOf(fixture, stripped, options);
  return { announced, errors };
}

describe('typecheck fixtures', () => {
  const { fileNames, options } = rootConfig();

  it.each(FIXTURES.map((fixture) => [path.relative(ROOT, fixture), fixture]))(
    '%s is compiled by the typecheck step, and each @ts-expect-error meets an error on its line',
    (_name, fixture) => {
      expect(fileNames.map((file) => path.resolve(file))).toContain(fixture);
      expect(diagnosticsOf(fixture, readFileSync(fixture, 'utf8'), options)).toEqual([]);

      const { announced, errors } = withoutDirectives(fixture, options);
      expect(announced.length).toBeGreaterThanOrEqual(2);
      expect(errors.map((error) => error.file)).toEqual(announced.map(() => fixture));
      expect(errors.map((error) => error.line)).toEqual(announced);
    },
    30_000,
  );

  it('the client refuses a wrong variable type and a misspelt field, for those reasons', () => {
    const [wrongVariable, misspelt] = withoutDirectives(CLIENT_FIXTURE, options).errors;
    expect(wrongVariable).toMatchObject({ code: 2322, message: "Type 'string' is not assignable to type 'number'." });
    expect(misspelt?.code).toBe(2551);
    expect(misspelt?.message).toMatch(/Property 'titel' does not exist .* Did you mean 'title'\?/s);
  }, 30_000);
});
