"""`memo`: a macro whose output depends on its arguments only, rendered once per distinct arguments.

A macro call builds a frame and a fresh output buffer; the badge and code macros are
called hundreds of times per page with few distinct arguments. This uses only Jinja's
public interface (a macro is a callable). A Context subclass that skipped Jinja's
pass_context probes once lived here too; it relied on Jinja internals and measured no
gain (bundled site and bench/bench.py --sizes 200, issue 13), so it is gone.
"""
from __future__ import annotations

from typing import Any, Callable


class Remembered:
    """A macro that remembers its output per arguments: for macros whose output depends on nothing else.

    The key holds each argument's type as well as its value: "a&b" and Markup("a&b") are
    equal strings but render differently.
    """

    def __init__(self, macro: Callable[..., Any]):
        self.macro = macro
        self.outputs: dict[tuple, Any] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = (*((type(a), a) for a in args), *((k, type(v), v) for k, v in sorted(kwargs.items())))
        try:
            return self.outputs[key]
        except KeyError:
            self.outputs[key] = found = self.macro(*args, **kwargs)
            return found
        except TypeError:  # an unhashable argument: nothing to remember it by
            return self.macro(*args, **kwargs)


#: The template filter: `{% set badge = badge | memo %}`.
memo = Remembered
