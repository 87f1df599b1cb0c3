#!/usr/bin/env python3
"""Checks include/modhook/ against the table of docs/layers.md: every header listed once and
present, every #include <modhook/...> to a header of the same layer or a lower one, no cycle.
    check_layers.py ROOT"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
table = (root / "docs" / "layers.md").read_text()
layers = {}
errors = []
for header, layer in re.findall(r"^\| `(modhook/[^`]+)` \| (\d) \|", table, re.M):
    if header in layers:
        errors.append(f"{header}: listed twice in docs/layers.md")
    layers[header] = int(layer)
present = {str(p.relative_to(root / "include")) for p in (root / "include" / "modhook").rglob("*.hpp")}
for header in sorted(present - layers.keys()):
    errors.append(f"{header}: not in docs/layers.md's table")
for header in sorted(layers.keys() - present):
    errors.append(f"{header}: in docs/layers.md's table, but there is no such header")
graph = {}
for header in sorted(present & layers.keys()):
    text = (root / "include" / header).read_text()
    # The line after an #error names a header that does not exist, to stop compilation.
    included = [h for h in re.findall(r"^#include <(modhook/[^>]+)>", text, re.M) if h != "modhook/compilation_stops_here"]
    graph[header] = included
    for h in included:
        if h not in layers:
            errors.append(f"{header}: includes {h}, which is not a listed header")
        elif layers[h] > layers[header]:
            errors.append(f"{header} (layer {layers[header]}) includes {h} (layer {layers[h]}), a layer above")
state = {}
def visit(h, path):
    state[h] = "open"
    for n in graph.get(h, []):
        if state.get(n) == "open":
            errors.append("include cycle: " + " -> ".join(path + [h, n]))
        elif n in graph and n not in state:
            visit(n, path + [h])
    state[h] = "done"
for h in graph:
    if h not in state:
        visit(h, [])
if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"{len(graph)} headers in 6 layers: every include goes down or across, no cycle")
