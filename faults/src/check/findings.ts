/** What the checker has run and found. Every check counts; every violation is one line. */
export interface Findings {
  checks: number;
  readonly violations: string[];
  /** Records one check; a failed one adds `detail` to the violations. */
  check(ok: boolean, detail: () => string): boolean;
}

export function createFindings(): Findings {
  const findings: Findings = {
    checks: 0,
    violations: [],
    check(ok, detail) {
      findings.checks += 1;
      if (!ok) findings.violations.push(detail());
      return ok;
    },
  };
  return findings;
}
