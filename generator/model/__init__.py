"""The scenario model: its schema, the loader that validates files into it, and `new`."""
