"""The benchmark: bestcase against the seed's method, side by side, and the scorer's quality."""
