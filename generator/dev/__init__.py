"""Development: the live server and the incremental rebuild it uses."""
