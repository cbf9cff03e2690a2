"""Errors that name a file and a line, so editors can jump straight to the problem."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` with every line break and control character turned into one space, and bytes
    that are not text (a file name's undecodable bytes) shown as ``\\xNN`` escapes."""
    text = _BREAKS.sub(" ", text)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class Problem:
    """One problem found in an input file.

    ``path`` is relative to the project root where possible; ``line`` is 1-based (0 when the
    problem concerns the file as a whole). ``str(problem)`` is the one-line form
    ``path:line: message`` used by every command (line breaks and control characters in the
    path or message become spaces, so it is always one line).
    """

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{one_line(str(self.path))}:{self.line}: {one_line(str(self.message))}"


class PlansiteError(Exception):
    """An input problem that stops the build.

    Carries one or more :class:`Problem` objects; ``str(error)`` is their one-line forms joined
    by newlines.
    """

    def __init__(self, problems: Problem | list[Problem]):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, path: str, line: int, message: str) -> "PlansiteError":
        """Shorthand for an error with a single problem at ``path:line``."""
        return cls(Problem(str(path), line, message))
