"""Cheaper calls from templates: the two Jinja costs that dominated a scenario page's profile.

- Every call in a template (`t('…')`, a macro) goes through `Context.call`, which probes
  the callee for `pass_context` and friends: about 370 calls per scenario page, two thirds
  of them message lookups. Callees of the types in PLAIN never take a context, so they are
  called directly. Anything else takes Jinja's own path, unchanged.
- A macro call builds a frame and a fresh output buffer; `memo` (Remembered) remembers the output of a
  macro that is a pure function of its arguments (badge, code), per argument types and values.
"""
from __future__ import annotations

from typing import Any, Callable

from jinja2.runtime import Context, Macro

#: Callable types that never ask for the context, environment or eval context.
PLAIN: set[type] = {Macro}


class FastContext(Context):
    """A Jinja context whose calls to PLAIN callables skip the pass_context probes."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's own signature)
        if type(__obj) not in PLAIN:
            return Context.call(__self, __obj, *args, **kwargs)
        kwargs.pop("_loop_vars", None)
        kwargs.pop("_block_vars", None)
        return __obj(*args, **kwargs)


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


PLAIN.add(Remembered)
#: The template filter: `{% set badge = badge | memo %}`.
memo = Remembered
