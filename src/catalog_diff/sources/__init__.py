"""Where catalog bytes come from: the Source protocol and listings (listing); directory, git
revision and snapshot-file sources; the argument -> source decision (arguments); a load,
source -> parsed snapshot (load).
"""
