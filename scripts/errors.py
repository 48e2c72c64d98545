"""The one exception type of the pipeline, and a collector of problems.

A :class:`BuildError` carries a message for a person: it names the file, the
entry or row, and the field that is wrong. The command line prints it and
exits with status 1, never a traceback.

A :class:`Problems` collector lets a stage that checks many entries (the
annotation loaders and resolvers, the source metadata) go on after a bad
one, so that one run reports every problem it can find: it takes the
messages of each BuildError raised inside ``with problems.collect():`` and
:meth:`Problems.raise_if_any` raises them at the end as one BuildError.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class BuildError(Exception):
    """Bad input or a failed check; the message says where and what.

    ``problems`` holds each problem's own message (one, unless the error
    gathers several, see :meth:`of`).
    """

    def __init__(self, message: str, problems: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems else [message]

    @classmethod
    def of(cls, problems: Sequence[str]) -> BuildError:
        """One error listing ``problems``: the message itself when there is only one."""
        if len(problems) == 1:
            return cls(problems[0])
        listing = "\n".join(f"  {problem}" for problem in problems)
        return cls(f"{len(problems)} problems found:\n{listing}", problems)


class Problems:
    """The problems found so far in a run, raised together by :meth:`raise_if_any`."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __len__(self) -> int:
        return len(self.messages)

    def add(self, message: str) -> None:
        self.messages.append(message)

    def collect(self) -> _Collecting:
        """Record a BuildError raised in the block (which ends there) instead of letting it through."""
        return _Collecting(self)

    def raise_if_any(self) -> None:
        """Raise every problem as one BuildError, grouped by the file they name (in the order found)."""
        if self.messages:
            raise BuildError.of(sorted(self.messages, key=lambda message: message.split(": ", 1)[0]))


class _Collecting:
    """The context manager of :meth:`Problems.collect` (a class: it is entered for every entry of a build)."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, traceback: object) -> bool:
        if isinstance(exc, BuildError):
            self.problems.messages += exc.problems
            return True
        return False


@contextmanager
def gathered(problems: Problems | None) -> Iterator[Problems]:
    """``problems``, or when it is None a collector of its own raised when the block ends.

    Lets a function add to its caller's collector, or, called on its own,
    raise every problem it found as one BuildError (also when the block is
    left by a BuildError that stops it).
    """
    found = problems if problems is not None else Problems()
    try:
        yield found
    except BuildError as exc:
        if problems is None and found.messages:
            raise BuildError.of([*found.messages, *exc.problems]) from None
        raise
    if problems is None:
        found.raise_if_any()
