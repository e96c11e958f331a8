"""The vocabulary an AR-LSAT program declares: sorts, subset lists, functions, predicates.

See :mod:`.arlsat` for what each declaration means.
"""

from __future__ import annotations

from dataclasses import dataclass

import lark

from logicsvc.errors import InputError, Span, caret_context
from logicsvc.syntax.ast import FunctionDecl, SortDecl, is_numeral
from logicsvc.translate.formats.arlsat_lines import Line

INT = "Int"


@dataclass(frozen=True, slots=True)
class SortInfo:
    name: str
    members: tuple[str, ...]
    parent: str | None = None
    """For a subset list: the sort its members belong to."""

    @property
    def integer(self) -> bool:
        return all(is_numeral(m) for m in self.members)


class Vocabulary:
    """Sorts, subset lists, functions and predicates, in declaration order."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sorts: dict[str, SortInfo] = {}
        self.owner: dict[str, str] = {}
        """Named value → the sort declaring it."""
        self.functions: dict[str, tuple[tuple[str, ...], str]] = {}
        self.predicates: dict[str, tuple[str, ...]] = {}

    def error(
        self, message: str, tree: object, line: int, code: str = "syntax_error"
    ) -> InputError:
        span = span_of(tree, line)
        context = caret_context(self.source, span) if span else None
        return InputError(message, code=code, span=span, context=context)

    def declare(self, line: Line) -> None:
        target, value = line.tree.children
        name = str(target)
        if name in self.sorts or name in self.functions or name in self.predicates:
            raise self.error(f"'{name}' is declared twice", line.tree, line.number, "name_clash")
        if not (isinstance(value, lark.Tree) and value.data == "call"):
            message = "expected EnumSort([...]), IntSort([...]) or Function([...] -> [...])"
            raise self.error(message, value, line.number)
        kind, args = str(value.children[0]), value.children[1]
        arguments: list[object] = list(args.children) if isinstance(args, lark.Tree) else []
        if kind in ("EnumSort", "IntSort"):
            self._sort(name, kind, arguments, value, line.number)
        elif kind == "Function":
            self._function(name, arguments, value, line.number)
        else:
            message = f"'{kind}' declares nothing; use EnumSort, IntSort or Function"
            raise self.error(message, value, line.number, "unknown_declaration")

    def _sort(self, name: str, kind: str, args: list[object], tree: object, line: int) -> None:
        if len(args) != 1 or not (isinstance(args[0], lark.Tree) and args[0].data == "list"):
            raise self.error(f"{kind} takes one list: {kind}([a, b, c])", tree, line)
        items = args[0].children[0]
        members = tuple(_value(m) for m in (items.children if isinstance(items, lark.Tree) else []))
        if not members or any(m is None for m in members):
            raise self.error(f"{kind} lists names or numbers", tree, line, "sort_error")
        values = tuple(m for m in members if m is not None)
        if len(set(values)) != len(values):
            raise self.error(f"sort '{name}' lists a value twice", tree, line, "sort_error")
        integer = all(is_numeral(v) for v in values)
        if kind == "IntSort" and not integer:
            raise self.error("IntSort lists numbers", tree, line, "sort_error")
        if integer:
            self.sorts[name] = SortInfo(name, values)
            return
        if any(is_numeral(v) for v in values):
            message = f"sort '{name}' mixes numbers and names"
            raise self.error(message, tree, line, "sort_error")
        owners = {self.owner.get(v) for v in values}
        if owners == {None}:
            self.sorts[name] = SortInfo(name, values)
            self.owner.update((v, name) for v in values)
            return
        if None in owners or len(owners) > 1:
            message = (
                f"sort '{name}' shares some values with {', '.join(sorted(o for o in owners if o))}"
                "; a value belongs to one sort (a list of an earlier sort's values is a subset)"
            )
            raise self.error(message, tree, line, "sort_error")
        parent = owners.pop()
        assert parent is not None
        self.sorts[name] = SortInfo(name, values, parent)

    def _function(self, name: str, args: list[object], tree: object, line: int) -> None:
        if len(args) == 1 and isinstance(args[0], lark.Tree) and args[0].data == "arrow":
            left, _, right = args[0].children
            params, results = _names(left), _names(right)
        else:  # Logic-LM's older form: Function(a, b, result)
            names = [_names(a) for a in args]
            params = [n for group in names[:-1] for n in (group or [])] if names else None
            results = names[-1] if names else None
        if params is None or results is None or len(results) != 1:
            message = "expected Function([sort, ...] -> [result sort])"
            raise self.error(message, tree, line)
        resolved = tuple(self.param_sort(p, tree, line) for p in params)
        result = results[0]
        if result == "bool":
            self.predicates[name] = resolved
            return
        if result == "int":
            self.functions[name] = (resolved, INT)
            return
        info = self.sorts.get(result)
        if info is None:
            raise self.error(f"sort '{result}' is not declared", tree, line, "unknown_sort")
        if info.parent is not None:
            message = f"'{result}' is a list of {info.parent} values, not a sort; use {info.parent}"
            raise self.error(message, tree, line, "sort_error")
        self.functions[name] = (resolved, result)

    def param_sort(self, name: str, tree: object, line: int) -> str:
        if name == "int":
            return INT
        info = self.sorts.get(name)
        if info is None:
            code = "unsupported" if name == "bool" else "unknown_sort"
            raise self.error(f"sort '{name}' is not declared", tree, line, code)
        return info.parent or name

    def sort_decls(self) -> tuple[SortDecl, ...]:
        return tuple(SortDecl(s.name, s.members) for s in self.sorts.values() if not s.parent)

    def function_decls(self) -> tuple[FunctionDecl, ...]:
        return tuple(FunctionDecl(n, p, r) for n, (p, r) in self.functions.items())


def _value(tree: object) -> str | None:
    if isinstance(tree, lark.Tree) and tree.data in ("name", "number"):
        return str(tree.children[0])
    if isinstance(tree, lark.Tree) and tree.data == "string":
        return str(tree.children[0])[1:-1]
    return None


def _names(tree: object) -> list[str] | None:
    """``[a, b]`` or ``a`` as a list of names; ``None`` when it is something else."""
    if isinstance(tree, lark.Tree) and tree.data == "name":
        return [str(tree.children[0])]
    if isinstance(tree, lark.Tree) and tree.data == "list":
        items = tree.children[0]
        found = [_value(i) for i in (items.children if isinstance(items, lark.Tree) else [])]
        return None if any(f is None for f in found) else [f for f in found if f is not None]
    return None


def span_of(tree: object, line: int) -> Span | None:
    if isinstance(tree, lark.Token) and tree.column is not None:
        end = tree.end_column or tree.column + len(tree)
        return Span(line, tree.column, line, end)
    meta = getattr(tree, "meta", None)
    if meta is not None and not meta.empty:
        return Span(line, meta.column, line, meta.end_column)
    return None
