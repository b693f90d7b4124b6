"""Bytes -> model, pure: front matter, one spec, one package, the two older layouts, and the
bulk JSON loads with their garbage-collector pause.
"""
