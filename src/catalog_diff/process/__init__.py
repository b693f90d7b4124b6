"""The process at its edges: signals taken in hand (interrupts), and output written
whole or not at all (output). Nothing is imported here.
"""
