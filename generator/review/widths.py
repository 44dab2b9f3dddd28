"""The widths a review screenshots every page at: here, so that the command line can offer them
without importing the review's browser machinery."""

#: (name, width, height, device scale factor): the widths designers review.
WIDTHS = (("desktop", 1280, 800, 1), ("phone", 375, 812, 1))
WIDTH_NAMES = tuple(name for name, *_ in WIDTHS)
