"""The process at its edges: signals taken in hand (interrupts), output written
whole or not at all (output), the garbage collector paused during a load (gcpause).
Nothing is imported here.
"""
