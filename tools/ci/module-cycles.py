#!/usr/bin/env python3
"""Fails when the modules of a crate import each other in a cycle (docs/ARCHITECTURE.md: the
data path is one straight line, "No import cycles").

    tools/ci/module-cycles.py            # every crate of the workspace and the binary

Written by hand because the tool that does this properly, cargo-modules
(`cargo modules dependencies --acyclic`), builds rust-analyzer from source: over ten minutes
of both cores on these machines, for a check that needs only the `use` graph. This reads each
module's `crate::…` and `super::…` paths (test modules left out: a test may reach anywhere),
maps each to the deepest module it names, and reports every strongly connected component of
more than one module. A module using its own parent's items (`super::Shared`) is a cycle only
if the parent uses the child back, which is what a cycle is.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
TESTS = re.compile(r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*mod\s+\w+\s*\{", re.S)
GROUP = re.compile(r"\b(crate|super)::\{([^}]*)\}")


def modules(src: pathlib.Path):
    """Maps each module path (tuple of names; () is the crate root) to its file."""
    found = {}
    for file in src.rglob("*.rs"):
        rel = file.relative_to(src).with_suffix("").parts
        if rel in (("lib",), ("main",)):
            found[()] = file
        elif rel[-1] == "mod":
            found[rel[:-1]] = file
        elif "bin" not in rel:
            found[rel] = file
    return found


def without_tests(text: str) -> str:
    """Drops `#[cfg(test)] mod … { … }` blocks by brace matching."""
    out, pos = [], 0
    for m in TESTS.finditer(text):
        if m.start() < pos:
            continue
        out.append(text[pos:m.start()])
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        pos = i
    out.append(text[pos:])
    return "".join(out)


def edges(mods):
    """Yields (from, to) for every reference between two distinct non-root modules."""
    for me, file in mods.items():
        if me == ():
            continue  # the crate root declares and re-exports every module
        # Comments (doc links included) name paths without using them.
        text = re.sub(r"//[^\n]*", "", without_tests(file.read_text(encoding="utf-8")))
        paths = [(a, b) for a, b in PATH.findall(text)]
        for a, group in GROUP.findall(text):
            for item in group.split(","):
                first = item.strip().split("::")[0].strip()
                if first and first != "self":
                    paths.append((a, "::" + item.strip()))
        for anchor, rest in paths:
            base = () if anchor == "crate" else me[:-1]
            names = tuple(n for n in rest.split("::") if n)
            target = base + names
            while target and target not in mods:
                target = target[:-1]
            if target and target != me:
                yield me, target
        # A parent reaches its own children by bare paths (`verify::run`, `self::verify`).
        for child in {m for m in mods if len(m) == len(me) + 1 and m[: len(me)] == me}:
            if re.search(rf"(?<![\w:]){child[-1]}::|\bself::{child[-1]}\b", text):
                yield me, child


def cycles(graph):
    """Tarjan's strongly connected components of size > 1."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def main():
    crates = [ROOT / "src"] + sorted((ROOT / "crates").glob("*/src"))
    crates += sorted((ROOT / "bindings").glob("*/src"))
    failed = False
    for src in crates:
        mods = modules(src)
        graph = {}
        for a, b in edges(mods):
            graph.setdefault(a, set()).add(b)
        for comp in cycles(graph):
            failed = True
            names = sorted("::".join(m) for m in comp)
            print(f"{src.relative_to(ROOT)}: import cycle between {', '.join(names)}")
            for a in sorted(comp):
                for b in sorted(graph.get(a, ())):
                    if b in comp:
                        print(f"    {'::'.join(a)} -> {'::'.join(b)}")
    if failed:
        sys.exit(1)
    print(f"module-cycles: no import cycles in {len(crates)} crates")


if __name__ == "__main__":
    main()
