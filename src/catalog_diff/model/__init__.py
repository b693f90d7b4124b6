"""Frozen data only, no I/O: snapshots, packages and specs (snapshot), a comparison
(comparison), what the history index answers (history), release notes (release), and what a
load selects (selection).
"""
