#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read the series manifest and turn the repository into kernel commits.

The manifest (SERIES at the top of the repository) is a list of stanzas
separated by lines holding only '%%'.  A stanza is:

    Subject: drm/amdgpu: one line subject
    Files: path/one.c path/two.h
           path/three.patch

    Commit message body, kept as written.

'Files' names files of this repository.  A name ending in '.patch' is a
unified diff against the base tree (applied with 'git apply'); any other
name is a file the patch creates, copied to the same path in the tree.

Usage:
    series.py list                      one line per patch
    series.py hash                      hash of everything the series carries
    series.py apply TREE BASE_REV       one commit per patch on top of BASE_REV
"""

import hashlib
import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(REPO, "SERIES")
AUTHOR = "amdgpu SVM developers <amd-gfx@lists.freedesktop.org>"
SIGNOFF = "Signed-off-by: " + AUTHOR


class Patch:
    def __init__(self, subject, files, body):
        self.subject = subject
        self.files = files
        self.body = body

    def message(self):
        body = self.body.strip("\n")
        return "%s\n\n%s\n\n%s\n" % (self.subject, body, SIGNOFF)


def parse(path=MANIFEST):
    patches = []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for n, stanza in enumerate(text.split("\n%%\n")):
        lines = [l for l in stanza.split("\n") if not l.startswith("#")]
        while lines and not lines[0].strip():
            lines.pop(0)
        if not lines:
            continue
        headers, body, key = {}, [], None
        i = 0
        while i < len(lines) and lines[i].strip():
            line = lines[i]
            if line[0].isspace() and key:
                headers[key] += " " + line.strip()
            else:
                key, _, val = line.partition(":")
                headers[key.strip()] = val.strip()
            i += 1
        body = "\n".join(lines[i:])
        if "Subject" not in headers or "Files" not in headers:
            sys.exit("SERIES stanza %d lacks Subject: or Files:" % (n + 1))
        files = headers["Files"].split()
        for name in files:
            if not os.path.isfile(os.path.join(REPO, name)):
                sys.exit("SERIES: %s names missing file %s" %
                         (headers["Subject"], name))
        patches.append(Patch(headers["Subject"], files, body))
    seen = {}
    for p in patches:
        for name in p.files:
            if name in seen:
                sys.exit("SERIES: %s is carried by two patches" % name)
            seen[name] = p
    return patches


def series_hash(patches):
    h = hashlib.sha256()
    with open(MANIFEST, "rb") as f:
        h.update(f.read())
    for p in patches:
        for name in p.files:
            h.update(name.encode())
            with open(os.path.join(REPO, name), "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def git(tree, *args, **kw):
    return subprocess.run(["git", "-C", tree] + list(args), check=True, **kw)


def apply(tree, base):
    env = dict(os.environ,
               GIT_AUTHOR_NAME="amdgpu SVM developers",
               GIT_AUTHOR_EMAIL="amd-gfx@lists.freedesktop.org",
               GIT_COMMITTER_NAME="amdgpu SVM developers",
               GIT_COMMITTER_EMAIL="amd-gfx@lists.freedesktop.org",
               GIT_AUTHOR_DATE="2026-11-21T00:00:00Z",
               GIT_COMMITTER_DATE="2026-11-21T00:00:00Z")
    git(tree, "reset", "-q", "--hard", base)
    git(tree, "clean", "-q", "-fdx")
    for n, p in enumerate(parse(), 1):
        for name in p.files:
            src = os.path.join(REPO, name)
            if name.endswith(".patch"):
                r = subprocess.run(["git", "-C", tree, "apply", "--index",
                                    "--whitespace=error-all", src])
                if r.returncode:
                    sys.exit("series: %s does not apply (patch %d: %s)" %
                             (name, n, p.subject))
            else:
                dst = os.path.join(tree, name)
                if os.path.exists(dst):
                    sys.exit("series: %s exists upstream; carry a .patch" %
                             name)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy(src, dst)  # new mtime: make must see the change
                git(tree, "add", "-f", name)
        git(tree, "commit", "-q", "--no-verify", "-F", "-",
            input=p.message().encode(), env=env)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "list":
        for n, p in enumerate(parse(), 1):
            print("%02d %s" % (n, p.subject))
    elif cmd == "hash":
        print(series_hash(parse()))
    elif cmd == "apply" and len(sys.argv) == 4:
        apply(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
