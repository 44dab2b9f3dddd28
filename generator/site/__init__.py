"""The site: pages, compare, the state matrix, languages and formats, rendered in memory."""
