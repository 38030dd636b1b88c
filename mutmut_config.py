"""mutmut 2's hook (make mutate, scripts/mutate.sh): mutants that change nothing but a type annotation are skipped.

Every mutated module starts with ``from __future__ import annotations``, so an annotation is a string that is never
evaluated at run time: ``int | None`` → ``int & None`` cannot change behaviour, and running the tests against it
only costs time. The mutant is compared with the original line as syntax trees with every annotation removed;
only when the two trees are then equal (and the module has the future import) is it skipped. A mutant of a
default value on the same line (``x: int = 3`` → ``4``) still differs and is run.
"""

from __future__ import annotations

import ast
import textwrap
from typing import Any

FUTURE = "from __future__ import annotations"


def _without_annotations(line: str) -> str | None:
    """The line's syntax tree with annotations blanked, or None when the line alone is not parseable."""
    text = textwrap.dedent(line).strip()
    candidates = [text]
    if text.startswith(("def ", "async def ")) and text.endswith(":"):
        candidates = [text + " ..."]
    for candidate in candidates:
        try:
            tree = ast.parse(candidate)
        except SyntaxError:
            return None
        for node in ast.walk(tree):
            if isinstance(node, ast.AnnAssign):
                node.annotation = ast.Constant(value=None)
            elif isinstance(node, ast.arg):
                node.annotation = None
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                node.returns = None
        return ast.dump(tree)
    return None


def only_annotation_changed(original: str, mutated: str) -> bool:
    if original == mutated:
        return False
    before, after = _without_annotations(original), _without_annotations(mutated)
    return before is not None and before == after


def pre_mutation(context: Any) -> None:
    import mutmut  # type: ignore[import-untyped]

    source = context.source
    if FUTURE not in source:
        return
    probe = mutmut.Context(
        source=source,
        mutation_id=context.mutation_id,
        filename=context.filename,
        dict_synonyms=context.dict_synonyms,
        config=context.config,
    )
    mutated, count = mutmut.mutate(probe)
    if count != 1:
        return
    number = context.mutation_id.line_number
    old_lines, new_lines = source.splitlines(), mutated.splitlines()
    if len(old_lines) != len(new_lines) or number >= len(old_lines):
        return
    if only_annotation_changed(old_lines[number], new_lines[number]):
        context.skip = True
