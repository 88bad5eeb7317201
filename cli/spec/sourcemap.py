"""Where each value of a YAML document was written: path tuple -> (line, column), 1-based."""

from __future__ import annotations

from civicloud.spec.errors import Path, SpecError


class SourceMap:
    """Positions of one document. Mapping entries point at their key, list items at the item.

    Values that were not written (defaults) have no position: `locate` falls back to the
    nearest ancestor that has one, so a missing field points at its parent mapping.
    """

    def __init__(self, file: str, positions: dict[Path, tuple[int, int]] | None = None) -> None:
        self.file = file
        self.positions: dict[Path, tuple[int, int]] = positions or {(): (1, 1)}

    def locate(self, path: Path) -> tuple[str, int, int]:
        for end in range(len(path), -1, -1):
            found = self.positions.get(tuple(path[:end]))
            if found:
                return self.file, found[0], found[1]
        return self.file, 1, 1

    def error(self, path: Path, message: str, severity: str = "error",
              sensitive: bool = False) -> SpecError:
        file, line, column = self.locate(path)
        return SpecError(file, line, column, tuple(path), message, severity, sensitive)

    def line_of(self, path: Path) -> int:
        return self.locate(path)[1]
