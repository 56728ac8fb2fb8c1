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

Every commit is authored, committed and signed off (Signed-off-by:) by
the person running this: 'git config user.name' and 'user.email' of the
repository, or, where either is unset (a CI clone may have none), the
committer of the repository's HEAD commit.  A patch's author and committer
date is the committer date of the newest commit of the repository that
touched one of its Files, or HEAD's date when none did (files not committed
yet), so the commits are the same for a given checkout.

Usage:
    series.py list                      one line per patch
    series.py hash                      hash of everything the series carries,
                                        identity and dates included
    series.py identity                  'Name <email>' the commits are made by
    series.py apply TREE BASE_REV       one commit per patch on top of BASE_REV
"""

import hashlib
import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(REPO, "SERIES")


class Patch:
    def __init__(self, subject, files, body):
        self.subject = subject
        self.files = files
        self.body = body

    def message(self, ident):
        body = self.body.strip("\n")
        return "%s\n\n%s\n\nSigned-off-by: %s <%s>\n" % (
            self.subject, body, ident[0], ident[1])


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


def repo_git(*args):
    """Output of a git command run in REPO, stripped; '' if it fails."""
    r = subprocess.run(["git", "-C", REPO] + list(args),
                       stdout=subprocess.PIPE, universal_newlines=True)
    return r.stdout.strip() if r.returncode == 0 else ""


def identity():
    """(name, email) the commits are authored, committed and signed off by."""
    name = repo_git("config", "user.name")
    email = repo_git("config", "user.email")
    if not name or not email:
        name = repo_git("log", "-1", "--no-show-signature", "--format=%cn")
        email = repo_git("log", "-1", "--no-show-signature", "--format=%ce")
    if not name or not email:
        sys.exit("series: no identity to sign the patches off with: set "
                 "'git config user.name' and 'git config user.email' in %s"
                 % REPO)
    return name, email


def dates(patches):
    """Each patch's date: the committer date of the newest commit of REPO
    that touched one of its files, or HEAD's when none did."""
    head = repo_git("log", "-1", "--no-show-signature", "--format=%cI")
    if not head:
        sys.exit("series: %s has no commit to date the patches by" % REPO)
    return [repo_git("log", "-1", "--no-show-signature", "--format=%cI",
                     "--", *p.files) or head
            for p in patches]


def series_hash(patches):
    h = hashlib.sha256()
    h.update(("%s <%s>\n" % identity()).encode())
    for date in dates(patches):
        h.update(date.encode() + b"\n")
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
    patches = parse()
    ident = identity()
    env = dict(os.environ,
               GIT_AUTHOR_NAME=ident[0], GIT_AUTHOR_EMAIL=ident[1],
               GIT_COMMITTER_NAME=ident[0], GIT_COMMITTER_EMAIL=ident[1])
    stamps = dates(patches)
    git(tree, "reset", "-q", "--hard", base)
    git(tree, "clean", "-q", "-fdx")
    for n, (p, date) in enumerate(zip(patches, stamps), 1):
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
            input=p.message(ident).encode(),
            env=dict(env, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "list":
        for n, p in enumerate(parse(), 1):
            print("%02d %s" % (n, p.subject))
    elif cmd == "hash":
        print(series_hash(parse()))
    elif cmd == "identity":
        print("%s <%s>" % identity())
    elif cmd == "apply" and len(sys.argv) == 4:
        apply(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
