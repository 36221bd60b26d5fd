#!/usr/bin/env python3
"""Lab 4: the hostile-module template must compile as the guest compiles its
evil module (same compiler, flags, MODULE_ID). Usage:
compile_template.py compile_commands.json evil.cpp template.cpp out.o"""
import json, os, shlex, subprocess, sys

db, evil, template, out = sys.argv[1:5]
entries = [e for e in json.load(open(db)) if os.path.realpath(e["file"]) == os.path.realpath(evil)]
if not entries:
    sys.exit(f"no compile command for {evil} in {db}")
e = entries[0]
args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
new = []
skip = False
for i, a in enumerate(args):
    if skip:
        skip = False
        continue
    if a == "-o":
        new += ["-o", out]
        skip = True
    elif os.path.realpath(os.path.join(e["directory"], a)) == os.path.realpath(evil):
        new.append(template)
    else:
        new.append(a)
if template not in new:
    sys.exit("could not substitute the source file")
r = subprocess.run(new, cwd=e["directory"])
if r.returncode != 0:
    sys.exit(r.returncode)
if not os.path.exists(out) or os.path.getsize(out) == 0:
    sys.exit("no object file")
print(f"ok: {template} compiles as the evil module")
