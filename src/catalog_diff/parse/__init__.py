"""Bytes -> model, pure: front matter, one spec, one package, the two older layouts, the
JSON loads under an address-space limit (bulk), the memo tables (memo).
"""
