"""One-off: move a module's two-language word tables into the catalog (book.i18n.tr).

Before ``book.i18n.tr``, some modules kept their words in dicts per language: a table
``{"en": {key: template}, "zh": {key: template}}`` read through an accessor such as
``_t("key", **fields)``, and constant tables ``{"en": {letter: text}, "zh": {...}}``. This
script rewrites such a module so that each word's English sits where it is used, and moves
the Chinese into ``locales/zh_CN/LC_MESSAGES/runtime.po``:

* every ``ACCESSOR("key", ...)`` call becomes ``tr("<the English template>", ...)`` (a
  template used without fields loses its ``{{ }}`` escapes, as ``tr`` formats only with
  fields);
* the table and the accessor's ``def`` are removed, and ``from book.i18n import tr, N_`` added;
* each constant table becomes ``{key: N_("<English>")}``; ``NAME[language()][k]`` becomes
  ``tr(NAME[k])``, ``NAME[language()]`` becomes ``{k: tr(v) for k, v in NAME.items()}`` and
  ``NAME["en"]`` becomes ``NAME``;
* ``make translations`` (``tools.translate.update``) then extracts the new message ids, and
  each gets its old Chinese template as a confirmed translation; ``generate`` compiles them.

Usage (then review the diff, run ``make lint`` and the module's tests, and delete this
script once no module keeps two-language tables)::

    python -m tools.convert_messages book/exercises.py --table MESSAGES --accessor _t \\
        --constant _PERPLEXITY_CHOICES --constant _PERPLEXITY_WHY_NOT
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

from tools import translate

WIDTH = 100                                     # ruff's line length


def _literal(text: str) -> str:
    """``text`` as a double-quoted Python string literal."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{body}"'


def _wrapped(text: str, column: int) -> str:
    """``text`` as one literal, or as adjacent literals broken at spaces, each line fitting
    ``WIDTH`` when the first starts at ``column`` (the others aligned under it)."""
    room = max(30, WIDTH - column - 3)
    if len(_literal(text)) <= room:
        return _literal(text)
    pieces, line = [], ""
    for word in re.split(r"(?<= )", text):
        if line and len(_literal(line + word)) > room:
            pieces.append(line)
            line = ""
        line += word
    pieces.append(line)
    return ("\n" + " " * column).join(_literal(p) for p in pieces)


def _assignment(tree: ast.Module, name: str) -> ast.Assign:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                for t in node.targets):
            return node
    raise SystemExit(f"no top-level assignment to {name}")


def _cut(source: str, node: ast.AST) -> str:
    """``source`` without the lines of ``node`` (and the blank lines after it)."""
    lines = source.split("\n")
    end = node.end_lineno
    while end < len(lines) and not lines[end].strip():
        end += 1
    return "\n".join(lines[:node.lineno - 1] + lines[end:])


def convert(path: Path, table: str | None, accessor: str | None,
            constants: list[str]) -> dict[str, str]:
    """Rewrite ``path``; returns {English message id: Chinese translation}."""
    source = path.read_text(encoding="utf-8")
    chinese: dict[str, str] = {}
    if table:
        tree = ast.parse(source)
        words = ast.literal_eval(_assignment(tree, table).value)
        english, zh = words["en"], words.get("zh", {})
        call = re.compile(rf"\b{re.escape(accessor)}\(\s*\"(\w+)\"\s*(,\s*|\))")

        def replace(match: re.Match) -> str:
            key, after = match.group(1), match.group(2)
            msgid, translation = english[key], zh.get(key, "")
            if after == ")":                            # no fields: no formatting
                msgid, translation = (t.replace("{{", "{").replace("}}", "}")
                                      for t in (msgid, translation))
            column = match.start() - source.rfind("\n", 0, match.start()) - 1 + len("tr(")
            if translation:
                chinese[msgid] = translation
            if after != ")":                            # the fields go on a line of their own
                after = ",\n" + " " * column
            return f"tr({_wrapped(msgid, column)}{after}"

        source = call.sub(replace, source)
        # A key passed around as a value (``for key in ("a_key", ...)``, then
        # ``ACCESSOR(key, ...)``) becomes its marked English, and the call a tr call.
        for key, text in english.items():
            literal = re.compile(rf"(?<![\w\[])\"{re.escape(key)}\"(?!\s*:)")
            for match in reversed(list(literal.finditer(source))):
                column = match.start() - source.rfind("\n", 0, match.start()) - 1 + len("N_(")
                source = (source[:match.start()] + f"N_({_wrapped(text, column)})"
                          + source[match.end():])
                if zh.get(key):
                    chinese[text] = zh[key]
                print(f"{path}: the key {key!r} used as a value became N_(...): review it")
        source = re.sub(rf"(?<!def )\b{re.escape(accessor)}\(", "tr(", source)
        tree = ast.parse(source)
        source = _cut(source, _assignment(tree, table))
        tree = ast.parse(source)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == accessor:
                source = _cut(source, node)
                break
    for name in constants:
        tree = ast.parse(source)
        node = _assignment(tree, name)
        words = ast.literal_eval(node.value)
        english, zh = words["en"], words.get("zh", {})
        indent = " " * 4
        body = [f"{name} = {{"]
        for key, text in english.items():
            lead = f"{indent}{key!r}: N_("
            body.append(lead + _wrapped(text, len(lead)) + "),")
            if key in zh:
                chinese[text] = zh[key]
        body.append("}")
        lines = source.split("\n")
        source = "\n".join(lines[:node.lineno - 1] + body + lines[node.end_lineno:])
        source = re.sub(rf"\b{name}\[language\(\)\]\[([^\]]+)\]", rf"tr({name}[\1])", source)
        source = re.sub(rf"\b{name}\[language\(\)\]",
                        rf"{{k: tr(v) for k, v in {name}.items()}}", source)
        source = re.sub(rf"\b{name}\[\"en\"\]", name, source)
    if table or constants:
        # One import of book.i18n, with what the module now uses (message is gone).
        imported = set()
        for match in re.finditer(r"^from book\.i18n import ([^\n]*)\n", source, flags=re.M):
            imported |= {n.strip() for n in match.group(1).split(",")
                         if n.strip() and " as " not in n}
        body = re.sub(r"^from book\.i18n import [^\n]*\n", "", source, flags=re.M)
        used = {node.id for node in ast.walk(ast.parse(body)) if isinstance(node, ast.Name)}
        names = sorted((imported | {"N_", "tr"}) & used,
                       key=lambda n: (not n.isupper(), n))       # isort: constants first
        line = f"from book.i18n import {', '.join(names)}\n"
        first = re.search(r"^from book\.i18n import [^\n]*\n", source, flags=re.M)
        if first:
            rest = re.sub(r"^from book\.i18n import [^\n]*\n", "", source[first.start():],
                          flags=re.M)
            source = source[:first.start()] + line + rest
        else:
            source = source.replace("\nfrom book.", "\n" + line + "from book.", 1)
    path.write_text(source, encoding="utf-8")
    return chinese


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("module", type=Path)
    parser.add_argument("--table", help="the {'en': ..., 'zh': ...} table read by --accessor")
    parser.add_argument("--accessor", help="the function that reads --table, e.g. _t")
    parser.add_argument("--constant", action="append", default=[],
                        help="a constant {'en': {k: text}, 'zh': {...}} table")
    args = parser.parse_args(argv)
    if bool(args.table) != bool(args.accessor):
        parser.error("--table and --accessor go together")
    chinese = convert(args.module, args.table, args.accessor, args.constant)
    translate.update()
    catalog = translate.load(translate.RUNTIME)
    for msgid, translation in chinese.items():
        if msgid in catalog and (not catalog[msgid].string or catalog[msgid].fuzzy):
            catalog[msgid].string = translation
            catalog[msgid].flags.discard("fuzzy")
    translate._write(translate._po_path(translate.RUNTIME, translate.ROOT), catalog)
    translate.generate()
    left = translate.problems()
    print(f"{args.module}: {len(chinese)} translations moved to runtime.po")
    for line in left:
        print(line)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
