"""A list of models that spills to disk: the first `limit` items kept as objects, the rest set
aside as JSON lines in an anonymous temporary file and read back in order. A small run never
touches the disk; a large one holds `limit` objects at most. The pipeline's windows of entries
and the reports' findings are both one of these.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, Generic, TypeVar

from pydantic import BaseModel

__all__ = ["Spool"]

M = TypeVar("M", bound=BaseModel)


class Spool(Generic[M]):
    def __init__(self, model: type[M], limit: int, prefix: str = "enrich-spool-") -> None:
        self.model = model
        self.limit = limit
        self.prefix = prefix
        self.head: list[M] = []
        self.file: IO[bytes] | None = None
        self.count = 0

    def add(self, item: M) -> None:
        self.count += 1
        if self.file is None and len(self.head) < self.limit:
            self.head.append(item)
            return
        if self.file is None:
            self.file = tempfile.TemporaryFile(prefix=self.prefix)  # noqa: SIM115
        self.file.seek(0, 2)  # after a scan, the next item still goes at the end
        self.file.write(item.model_dump_json().encode() + b"\n")

    def scan(self) -> Iterator[M]:
        """The items so far, in order, keeping them (as often as needed)."""
        yield from self.head
        yield from self._spilled()

    def drain(self) -> Iterator[M]:
        """The items in order, letting the kept objects go before the spilled ones are read."""
        head, self.head = self.head, []
        yield from head
        del head
        yield from self._spilled()

    def _spilled(self) -> Iterator[M]:
        if self.file is None:
            return
        self.file.seek(0)
        for line in self.file:
            yield self.model.model_validate_json(line)

    def __len__(self) -> int:
        return self.count

    def __enter__(self) -> Spool[M]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.head = []
        if self.file is not None:
            self.file.close()
            self.file = None
