"""Release notes from two snapshots, and Spack's version order."""
