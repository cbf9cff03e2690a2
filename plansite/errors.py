"""Errors that name a file and a line, so editors can jump straight to the problem."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    """One problem found in an input file.

    ``path`` is relative to the project root where possible; ``line`` is 1-based (0 when the
    problem concerns the file as a whole). ``str(problem)`` is the one-line form
    ``path:line: message`` used by every command.
    """

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


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
