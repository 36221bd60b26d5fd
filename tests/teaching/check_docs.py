#!/usr/bin/env python3
"""docs/teaching/ is complete: every lab `slotlab lab --list` names has its page
with the six parts the issue asks for, every picture a page shows exists (made
by a screenshot command of a lab script, docs/teaching/scripts/*.slab, which
scripts/teaching-screenshots.sh runs), and the cheat sheet is there.
Usage: check_docs.py SLOTLAB REPO"""
import os, re, subprocess, sys

slotlab, repo = sys.argv[1:3]
listing = subprocess.run([slotlab, "lab", "--list"], capture_output=True, text=True, check=True).stdout
pages = re.findall(r"(docs/teaching/lab\d+-[a-z-]+\.md)", listing)
fails = []
if len(pages) != 7:
    fails.append(f"expected 7 labs, --list shows {len(pages)}")
parts = ["## Goal", "## Setup", "## Steps", "## What you should observe", "## Questions", "## Answer key"]
runner = open(os.path.join(repo, "scripts/teaching-screenshots.sh")).read()
# The lab scripts the runner runs: named outright, or as lab$n.slab in a
# `for n in 1 2 ...` loop.
scripts = set(re.findall(r"docs/teaching/scripts/(lab\d\.slab)", runner))
for nums in re.findall(r"for n in ([\d ]+);.*docs/teaching/scripts/lab\$n\.slab", runner):
    scripts |= {f"lab{n}.slab" for n in nums.split()}
shots = set()
for name in scripts:
    text = open(os.path.join(repo, "docs/teaching/scripts", name)).read()
    shots |= {os.path.basename(x) for x in re.findall(r"^screenshot (\S+)", text, re.M)}
for p in pages + ["docs/teaching/cheatsheet.md", "docs/teaching/README.md"]:
    path = os.path.join(repo, p)
    if not os.path.exists(path):
        fails.append(f"missing {p}")
        continue
    text = open(path).read()
    if "/lab" in p:
        fails += [f"{p}: no '{x}'" for x in parts if x not in text]
        n = re.search(r"lab(\d+)-", p).group(1)
        if f"slotlab lab {n}" not in text:
            fails.append(f"{p}: does not show its one command")
    for img in re.findall(r"\]\((img/[^)]+)\)", text):
        if not os.path.exists(os.path.join(repo, "docs/teaching", img)):
            fails.append(f"{p}: missing picture {img}")
        elif os.path.basename(img) not in shots:
            fails.append(f"{p}: {img} is not made by a lab script that scripts/teaching-screenshots.sh runs")
for f in fails:
    print("FAIL", f)
print(f"{len(pages)} labs checked, {len(fails)} problems")
sys.exit(1 if fails else 0)
