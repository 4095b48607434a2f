// A StrykerJS test runner for mocha 12, kept in one warm process.
//
// Why: @stryker-mutator/mocha-runner 9.x requires mocha < 12 (it loads mocha's CLI helpers by their old
// `.js` paths) and Stryker 10 requires Node 22; Stryker's command runner works but starts node + tsx +
// mocha for every mutant (~1 s of CPU each, about two hours for this project on a shared 2-core box).
// This runner loads the test files once per run into a long-lived worker (started by Stryker with
// `--import tsx`), switches mutants through Stryker's runtime flag (`globalThis.__stryker__.activeMutant`),
// reports per-test coverage so each mutant runs only the tests that reach it, and honours the hit limit
// (infinite loops) and bail. Static mutants (module top level) make Stryker restart the worker, because
// this runner does not reload modules (`reloadEnvironment: false`).
import { pathToFileURL } from 'node:url';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Mocha from 'mocha';
import { commonTokens, declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';
import { DryRunStatus, TestStatus, determineHitLimitReached, toMutantRunResult } from '@stryker-mutator/api/test-runner';

const NS = '__stryker__';

function strykerNamespace() {
  globalThis[NS] ??= {};
  return globalThis[NS];
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

class Mocha12Runner {
  static inject = [commonTokens.options, commonTokens.logger];
  #options;
  #log;
  #files = [];
  #run = 0;

  constructor(options, log) {
    this.#options = options.mocha12 ?? {};
    this.#log = log;
  }

  capabilities() {
    return { reloadEnvironment: false };
  }

  async init() {
    // `spec`: test files, or directories whose `*.test.ts` files are taken.
    for (const spec of this.#options.spec ?? ['test']) {
      if (spec.endsWith('.ts')) this.#files.push(spec);
      else for (const f of await readdir(spec)) if (f.endsWith('.test.ts')) this.#files.push(path.join(spec, f));
    }
    this.#files.sort();
    this.#log.info(`mocha12 runner: ${this.#files.length} test files`);
  }

  /** Loads the test files afresh (a new module instance per run) and runs them; returns the test results. */
  async #runMocha({ bail, grep, perTest }) {
    const ns = strykerNamespace();
    const mocha = new Mocha({ bail, timeout: this.#options.timeout ?? 10_000, reporter: class Silent { constructor() {} } });
    if (grep) mocha.grep(grep);
    for (const f of this.#files) mocha.addFile(f);
    const n = ++this.#run;
    await mocha.loadFilesAsync({ esmDecorator: (url) => `${url.href ?? pathToFileURL(String(url)).href}?stryker-run=${n}` });
    if (perTest) {
      mocha.suite.beforeEach(function () {
        ns.currentTestId = this.currentTest.fullTitle();
      });
      mocha.suite.afterEach(() => {
        ns.currentTestId = undefined;
      });
    }
    const tests = [];
    await new Promise((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('test end', (test) => {
        const base = { id: test.fullTitle(), name: test.fullTitle(), timeSpentMs: test.duration ?? 0, fileName: test.file };
        if (test.state === 'passed') tests.push({ ...base, status: TestStatus.Success });
        else if (test.state === 'failed') tests.push({ ...base, status: TestStatus.Failed, failureMessage: String(test.err?.message ?? 'failed') });
        else tests.push({ ...base, status: TestStatus.Skipped });
      });
      runner.on('fail', (test, err) => {
        // Hook failures (before/after) do not emit 'test end': report them as a failed test.
        if (test.type === 'hook') tests.push({ id: test.fullTitle(), name: test.fullTitle(), timeSpentMs: 0, status: TestStatus.Failed, failureMessage: String(err?.message ?? 'hook failed') });
      });
    });
    mocha.dispose();
    return tests;
  }

  async dryRun(options) {
    const ns = strykerNamespace();
    ns.activeMutant = undefined;
    ns.mutantCoverage = { static: {}, perTest: {} };
    const perTest = options.coverageAnalysis === 'perTest';
    const tests = await this.#runMocha({ bail: !options.disableBail, grep: null, perTest });
    const mutantCoverage = options.coverageAnalysis === 'off' ? undefined : ns.mutantCoverage;
    return { status: DryRunStatus.Complete, tests, ...(mutantCoverage ? { mutantCoverage } : {}) };
  }

  async mutantRun(options) {
    const ns = strykerNamespace();
    ns.activeMutant = options.activeMutant.id;
    ns.hitLimit = options.hitLimit;
    ns.hitCount = options.hitLimit === undefined ? undefined : 0;
    const grep = options.testFilter ? new RegExp(`^(?:${options.testFilter.map(escapeRegExp).join('|')})$`) : null;
    try {
      const tests = await this.#runMocha({ bail: !options.disableBail, grep, perTest: false });
      const timeout = determineHitLimitReached(ns.hitCount, ns.hitLimit);
      if (timeout) return toMutantRunResult(timeout);
      return toMutantRunResult({ status: DryRunStatus.Complete, tests }, false);
    } finally {
      ns.activeMutant = undefined;
      ns.hitLimit = undefined;
      ns.hitCount = undefined;
    }
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'mocha12', Mocha12Runner)];
