// Each trim of input text goes through `trimRuns` (session 50), proven by a spy, not by a clock: the module is replaced
// by one whose `trimRuns` records its calls and answers as the real one. A call site that went back to a regex
// (`/:+$/`, `/^[-.]+|[-.]+$/g`), quadratic on a long run, records no call and fails here; the lint rule
// (test/lint/quadratic-regex.test.ts) refuses the regex itself.
import { beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';

// The setup file has loaded src/ with the real module: the registry is reset, and the modules under test loaded anew
// (`vi.importActual`: themselves, their import of trim-runs through the mock).
const spy = vi.fn<typeof import('../../src/model/trim-runs').trimRuns>();
let headerNeverMatches: typeof import('../../src/model/http-header').headerNeverMatches;
let headerRequirement: typeof import('../../src/model/http-header').headerRequirement;
let kubectlPartProblem: typeof import('../../src/model/kubectl-parts').kubectlPartProblem;
let defaultName: typeof import('../../src/constructs/policy-base').defaultName;
let goFloat32Key: typeof import('../../src/model/go-yaml').goFloat32Key;

beforeAll(async () => {
  vi.resetModules();
  const real = await vi.importActual<typeof import('../../src/model/trim-runs')>('../../src/model/trim-runs');
  spy.mockImplementation(real.trimRuns);
  vi.doMock('../../src/model/trim-runs', () => ({ trimRuns: spy }));
  ({ headerNeverMatches, headerRequirement } = await vi.importActual<typeof import('../../src/model/http-header')>('../../src/model/http-header'));
  ({ kubectlPartProblem } = await vi.importActual<typeof import('../../src/model/kubectl-parts')>('../../src/model/kubectl-parts'));
  ({ defaultName } = await vi.importActual<typeof import('../../src/constructs/policy-base')>('../../src/constructs/policy-base'));
  ({ goFloat32Key } = await vi.importActual<typeof import('../../src/model/go-yaml')>('../../src/model/go-yaml'));
});

const texts = (): string[] => spy.mock.calls.map((c) => c[0]);

beforeEach(() => {
  spy.mockClear();
});

describe('the call sites of trimRuns', () => {
  test('a headers entry: the name trimmed of its trailing colons, the value of its blanks (Cilium getHTTPRule: TrimRight(":"))', () => {
    expect(headerRequirement('X-Token::: v')).toEqual({ name: 'x-token', value: 'v' });
    expect(texts()).toEqual(['X-Token:::']);
    spy.mockClear();
    expect(headerNeverMatches('X-A  v')).toMatch(/^its value " v" starts or ends with whitespace/);
    expect(texts()).toEqual(['X-A', ' v']);
  });

  test('a --- line: what follows it trimmed of Go white space (kubectl YAMLReader.Read: strings.TrimSpace)', () => {
    expect(kubectlPartProblem('a: 1\n---  \t# c\nb: 2\n')).toBeUndefined();
    expect(texts()).toEqual(['  \t# c']);
  });

  test('a construct id made a name: dashes and dots trimmed at its ends', () => {
    expect(defaultName('-.Web_Tier.-')).toBe('web-tier');
    expect(texts()).toEqual(['-.web-tier.-']);
  });

  test('a float32 key: the zeros ending its mantissa', () => {
    goFloat32Key(0.5);
    expect(spy).toHaveBeenCalled();
    expect(texts().every((t) => /^[0-9]+$/.test(t))).toBe(true);
  });
});
