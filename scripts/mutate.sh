#!/usr/bin/env bash
# make mutate: mutation testing of the core mechanisms with mutmut 2 (pinned in requirements-dev.txt).
#
# Each module is mutated against the tests that exercise it — its unit tests first, so most mutants fail
# fast, then the few app tests that reach it (a whole-suite run per mutant would take days on a small machine); a mutant is "killed" when one of those tests fails. String literals (the
# Chinese messages) are not mutated: they are copy, not mechanism. Results accumulate in .mutmut-cache,
# so `MUTATE_ONLY=core/scoping.py make mutate` re-runs one module; the score and every survivor are
# printed at the end (scripts/mutation_score.py). Kept out of `make test`: it is slow.
# Mutants that change only a type annotation are skipped (mutmut_config.py: never evaluated at run time).
# Do not run other mutmut commands while a run goes on: they rewrite the cache from the mutated file.
# To stop a run, kill its whole process group (Ctrl-C in the terminal does): mutmut runs the mutants in a multiprocessing
# worker that outlives a kill of mutmut alone and goes on rewriting the module and running tests.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PYTEST="scripts/mutate-pytest.sh $PY -m pytest -x -q --reuse-db -p no:logging -p no:cacheprovider -p no:schemathesis -p no:hypothesispytest"

# module | tests that exercise it
MODULES=(
  "core/scoping.py|tests/hardening/test_core_units.py tests/hardening/test_scoping_units.py tests/accounts/test_scope_rules.py tests/hardening/test_scope_gaps.py::test_only_active_contracts_in_their_dates_give_stations tests/hardening/test_scope_gaps.py::test_contract_dates_move_with_the_calendar tests/hardening/test_scope_gaps.py::test_no_role_sees_nothing_of_any_scoped_model tests/hardening/test_scope_gaps.py::test_a_suspended_organisation_loses_its_pages_and_api tests/hardening/test_scope_gaps.py::test_saving_a_new_organisation_recomputes_the_scope_of_the_same_user_object tests/hardening/test_scope_gaps.py::test_a_new_organisation_between_two_requests tests/hardening/test_scope_gaps.py::test_a_contract_ended_between_two_requests tests/hardening/test_scope_gaps.py::test_the_agency_api_follows_the_contracts"
  "core/api.py|tests/hardening/test_core_units.py tests/policies/test_rules.py::test_api_effective_policy_carries_strength_condition_and_citation tests/hardening/test_scope_gaps.py::test_methods_map_to_scope_actions tests/hardening/test_scope_gaps.py::test_viewset_queryset_uses_the_action_of_the_method tests/hardening/test_scope_gaps.py::test_the_agency_api_follows_the_contracts tests/api/test_api.py"
  "core/exports.py|tests/hardening/test_core_units.py::test_csv_cells_never_start_a_formula tests/hardening/test_scope_gaps.py::test_csv_export_neutralises_formula_cells"
  "accounts/validators.py|tests/accounts/test_validators.py tests/hardening/test_scope_gaps.py::test_published_credit_codes_are_valid tests/hardening/test_scope_gaps.py::test_credit_code_whose_check_character_is_zero tests/hardening/test_scope_gaps.py::test_credit_check_character_matches_the_independent_computation_over_many_bodies"
  "accounts/passwords.py|tests/accounts/test_validators.py::test_password_classes tests/accounts/test_security.py::test_weak_passwords_are_refused tests/accounts/test_security.py::test_strong_password_is_accepted"
  "accounts/api/auth.py|tests/api/test_api.py::test_token_flow tests/api/test_api.py::test_token_ends_after_30_idle_minutes tests/api/test_api.py::test_token_ends_after_12_hours_and_on_password_change tests/api/test_api.py::test_a_bad_token_is_refused tests/hardening/test_tokens.py"
  "core/views.py|tests/hardening/test_views_units.py tests/core/test_error_pages.py tests/core/test_audit_page.py tests/core/test_list_pages.py tests/stations/test_station_create.py"
  "policies/policy.py|tests/hardening/test_policy_units.py tests/policies/test_inheritance.py"
  "core/pagination.py|tests/hardening/test_bounds_units.py tests/hardening/test_inputs.py"
  "core/jsonbounds.py|tests/hardening/test_bounds_units.py tests/hardening/test_inputs.py"
  "core/parsers.py|tests/hardening/test_bounds_units.py tests/hardening/test_inputs.py"
  "core/audit.py|tests/hardening/test_bounds_units.py tests/hardening/test_scope_gaps.py::test_covered_townships_change_is_audited_with_before_and_after tests/accounts/test_security.py::test_login_success_is_audited tests/accounts/test_review_fixes.py tests/hardening/test_tokens.py"
  "policies/registry.py|tests/hardening/test_registry_units.py tests/hardening/test_scope_gaps.py::test_registry_refuses_bad_values tests/hardening/test_scope_gaps.py::test_registry_accepts_edge_values tests/policies/test_inheritance.py"
  "core/actions.py|tests/hardening/test_actions_units.py"
  "core/access.py|tests/hardening/test_actions_units.py"
  "core/xlsx.py|tests/core/test_xlsx.py"
  "core/admin_base.py|tests/hardening/test_admin_base_units.py tests/hardening/test_admin_delete.py tests/accounts/test_admin.py tests/accounts/test_review_fixes.py tests/hardening/test_inputs.py"
)

for entry in "${MODULES[@]}"; do
  path="${entry%%|*}"
  tests="${entry#*|}"
  if [[ -n "${MUTATE_ONLY:-}" && "$path" != "$MUTATE_ONLY" ]]; then
    continue
  fi
  echo "=== mutating $path against: $tests"
  # mutmut keeps one baseline time per cache, not per runner: measure each module's own (a fast module's
  # baseline would time out a slow module's mutants).
  [[ -f .mutmut-cache ]] && $PY -c "import sqlite3; c = sqlite3.connect('.mutmut-cache'); c.execute(\"delete from MiscData where key = 'baseline_time_elapsed'\"); c.commit()"
  .venv/bin/mutmut run --paths-to-mutate "$path" --runner "$PYTEST $tests" \
    --disable-mutation-types string,fstring --test-time-multiplier 3 || true
done

.venv/bin/mutmut junitxml > mutmut-junit.xml || true
$PY scripts/mutation_score.py mutmut-junit.xml
