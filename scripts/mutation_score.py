"""Print the mutation score and every surviving mutant from mutmut's junit report (make mutate)."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - our own tool's report, not untrusted input


def main(report: str) -> int:
    root = ET.parse(report).getroot()  # noqa: S314
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        print("no mutmut results yet: run make mutate")
        return 1
    cases = suite.findall("testcase")
    survivors = [c for c in cases if c.find("failure") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    total = len(cases) - len(skipped)
    killed = total - len(survivors)
    score = 100.0 * killed / total if total else 0.0
    print(f"mutants: {total} tested, {killed} killed, {len(survivors)} survived, {len(skipped)} not run")
    print(f"mutation score: {score:.1f}%")
    if survivors:
        print("survivors:")
        for case in survivors:
            ident = case.get("name", "").replace("Mutant #", "")
            print(f"--- mutant {ident} ({case.get('file')}:{case.get('line')})")
            shown = subprocess.run(  # noqa: S603
                [".venv/bin/mutmut", "show", ident], capture_output=True, text=True, check=False
            )
            print(shown.stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "mutmut-junit.xml"))
