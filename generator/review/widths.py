"""The widths a review screenshots every page at: here, so that the command line can offer them
without importing the review's browser machinery."""

#: (name, width, height, device scale factor): the widths designers review.
WIDTHS = (("desktop", 1280, 800, 1), ("phone", 375, 812, 1))
WIDTH_NAMES = tuple(name for name, *_ in WIDTHS)


def size_of(name: str) -> tuple[int, int, float]:
    """(width, height, device scale factor) of the width named `name` (one of WIDTH_NAMES)."""
    return next(tuple(size) for width, *size in WIDTHS if width == name)
