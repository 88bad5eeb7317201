"""Located problems: every message names file, line, column and the field path (gcc style)."""

from __future__ import annotations

from dataclasses import dataclass, field

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """("storage", "buckets", 0, "encryption") -> "storage.buckets[0].encryption"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class SpecError:
    file: str
    line: int
    column: int
    path: Path
    message: str
    severity: str = "error"  # "error" | "warning"
    sensitive: bool = False  # the line holds a secret: never print it

    @property
    def detail(self) -> str:
        """The message with its field path, without the location."""
        field_path = format_path(self.path)
        return f"{field_path}: {self.message}" if field_path else self.message

    def __str__(self) -> str:
        warning = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}:{self.column}: {warning}{self.detail}"

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": format_path(self.path),
            "message": self.message,
            "severity": self.severity,
        }


@dataclass
class Problems:
    """Errors and warnings collected across files, in the order found."""

    items: list[SpecError] = field(default_factory=list)

    def add(self, problem: SpecError) -> None:
        self.items.append(problem)

    def extend(self, problems: list[SpecError]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[SpecError]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[SpecError]:
        return [p for p in self.items if p.severity == "warning"]
