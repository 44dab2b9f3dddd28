"""Review: what a change does to every state, between two builds or revisions."""
