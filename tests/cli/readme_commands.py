#!/usr/bin/env python3
"""The README's command table against the program: the same commands in the
order `slotlab --help` lists them, every option the table names accepted by
that command's --help, every doc it points to present, and the bench
subcommands against `slotlab bench --help`.
usage: readme_commands.py SLOTLAB README"""
import os
import re
import subprocess
import sys


def help_of(slotlab, *args):
    r = subprocess.run([slotlab, *args, "--help"], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} --help exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def subcommands(help_text):
    names, inside = [], False
    for line in help_text.splitlines():
        if line.startswith("Subcommands:"):
            inside = True
        elif inside and re.match(r"^  \S", line):
            names.append(line.split()[0])
        elif inside and line and not line.startswith(" "):
            inside = False
    return names


def main():
    slotlab, readme = sys.argv[1], sys.argv[2]
    rows = []
    for line in open(readme, encoding="utf-8"):
        m = re.match(r"^\| `slotlab ([a-z]+)([^`]*)` \|(.*)\|(.*)\|\s*$", line)
        if m:
            rows.append((m.group(1), m.group(2).strip(), m.group(3), m.group(4)))
    if not rows:
        sys.exit("FAIL: no command table in " + readme)
    failures = []
    listed = []
    for name, _, _, _ in rows:
        if not listed or listed[-1] != name:
            listed.append(name)
    program = subcommands(help_of(slotlab))
    if listed != program:
        failures.append(f"README lists {listed}, slotlab --help lists {program}")
    root = os.path.dirname(os.path.abspath(readme))
    for name, rest, what, docs in rows:
        args = [name]
        if name == "bench":
            sub = rest.split()[0] if rest else ""
            if sub not in subcommands(help_of(slotlab, "bench")):
                failures.append(f"README's `slotlab bench {sub}` is not a bench command")
                continue
            args.append(sub)
        accepted = help_of(slotlab, *args)
        for opt in re.findall(r"`(--[a-z][a-z0-9-]*)", what + " " + rest):
            if not re.search(r"(^|[\s,])" + re.escape(opt) + r"\b", accepted):
                failures.append(f"README names {opt} for `slotlab {' '.join(args)}`, which does not accept it")
        for doc in re.findall(r"docs/[\w./-]+\.md", docs):
            if not os.path.exists(os.path.join(root, doc)):
                failures.append(f"README points `slotlab {name}` to {doc}, which does not exist")
    for f in failures:
        print("FAIL:", f)
    if failures:
        sys.exit(1)
    print(f"ok: {len(rows)} rows, commands {listed}")


if __name__ == "__main__":
    main()
