#!/usr/bin/env python3
"""No circles in the house (README, "Architecture").

Reads every `crate::`, `super::` and `self::` path in src/ (use lines and paths written inline)
and resolves it to the file that defines the module it names. Fails when
  - two or more files import each other, directly or around a longer circle, or
  - a top-level module (a folder or file under src/) imports one that imports it back.
The top files (lib.rs, main.rs, app.rs, seed.rs) and each file's own `#[cfg(test)]` part are
left out: they sit above everything; so is a module naming its own children (a `mod.rs` that
mounts its submodules' routes composes them). Prints each circle with one line that closes it.
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
TOP = {"lib", "main", "app", "seed"}


def module_of(path):
    rel = os.path.relpath(path, SRC)[: -len(".rs")].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    return tuple(rel)


def files():
    out = {}
    for root, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".rs"):
                p = os.path.join(root, n)
                out[module_of(p)] = os.path.relpath(p, os.path.join(SRC, ".."))
    return out


def strip(text):
    """The code without comments, string literals and the `#[cfg(test)]` module at the end."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'r#*"(?:.|\n)*?"#*', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    cut = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: cut.start()] if cut else text


def expand(tree):
    """`a::{b, c::{d, e}}` -> ["a::b", "a::c::d", "a::c::e"]."""
    tree = re.sub(r"\s+as\s+\w+", "", tree)
    tree = re.sub(r"\s+", "", tree)
    depth, start = 0, None
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                prefix, inner, rest = tree[:start], tree[start + 1 : i], tree[i + 1 :]
                parts, d, cur = [], 0, ""
                for c in inner:
                    if c == "," and d == 0:
                        parts.append(cur)
                        cur = ""
                        continue
                    d += c == "{"
                    d -= c == "}"
                    cur += c
                parts.append(cur)
                return [x for p in parts if p for x in expand(prefix + p + rest)]
    return [tree]


def paths(code):
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        for p in expand(m.group(1)):
            yield p
    for m in re.finditer(r"(?<![\w:])((?:crate|super|self)(?:::\w+)+)", code):
        yield m.group(1)


def resolve(path, here, known):
    parts = path.split("::")
    if parts[0] == "crate":
        base, rest = (), parts[1:]
    elif parts[0] in ("super", "self"):
        base, rest = here, parts
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    else:
        return None
    target = base + tuple(rest)
    while target and target not in known:
        target = target[:-1]
    return target if target else None


def sccs(graph):
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
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def main():
    known = files()
    graph, why = {}, {}
    for mod, path in known.items():
        if mod and mod[0] in TOP or not mod:
            continue
        code = strip(open(os.path.join(SRC, "..", path), encoding="utf-8").read())
        for p in paths(code):
            t = resolve(p, mod, known)
            # A module naming its own children (routes, re-exports) composes them: not an import.
            if not t or t[: len(mod)] == mod or t[0] in TOP:
                continue
            graph.setdefault(mod, set()).add(t)
            why.setdefault((mod, t), p)
    status = 0
    for comp in sccs(graph):
        status = 1
        print("import circle between files:")
        members = set(comp)
        for a in comp:
            for b in sorted(graph.get(a, ())):
                if b in members:
                    print(f"  {known[a]} -> {known[b]}  ({why[(a, b)]})")
    tops = {}
    for (a, b), p in why.items():
        if a[0] != b[0]:
            tops.setdefault((a[0], b[0]), (a, b, p))
    for (x, y), (a, b, p) in sorted(tops.items()):
        if x < y and (y, x) in tops:
            status = 1
            a2, b2, p2 = tops[(y, x)]
            print(f"modules import each other: {x} <-> {y}")
            print(f"  {known[a]} -> {known[b]}  ({p})")
            print(f"  {known[a2]} -> {known[b2]}  ({p2})")
    if status == 0:
        print(f"imports: no circle among {len(known)} files")
    return status


if __name__ == "__main__":
    sys.exit(main())
