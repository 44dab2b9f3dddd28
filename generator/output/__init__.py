"""Output: the build plan, the workers that render it, and the atomic writer."""
