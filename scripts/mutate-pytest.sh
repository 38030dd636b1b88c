#!/usr/bin/env bash
# make mutate's test runner: mutmut 2 counts a mutant killed only when the tests exit with status 1, so a mutant
# that breaks importing the code under test (pytest exits 2: a collection error) would count as survived. Any
# failure is a kill here; the unmutated baseline must still pass (status 0) for mutmut to start.
"$@" && exit 0
exit 1
