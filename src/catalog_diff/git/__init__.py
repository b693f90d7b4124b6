"""The repository through GitPython: discovery, revision resolution, commits, tree diffs and
listings (repository), git's log (log), the cat-file stream (catfile) and the environment
git runs in (env). The only package that imports GitPython; it never checks out or writes.
Nothing is imported here: the fast entry point imports git.env alone.
"""
