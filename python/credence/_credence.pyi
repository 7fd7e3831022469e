from os import PathLike
from typing import Any, Iterable, Literal, Optional, Sequence, Union

_Path = Union[str, PathLike[str]]
_Case = Union[dict[str, Any], str, bytes]

class CompileError(Exception):
    diagnostics: list[dict[str, Any]]

class CaseError(ValueError):
    errors: list[dict[str, Any]]

class Rules:
    @property
    def ruleset(self) -> tuple[str, str, str]: ...
    def score(self, case: _Case, as_of: Optional[str] = None) -> dict[str, Any]: ...
    def render(
        self,
        case: _Case,
        format: Literal["text", "json", "markdown", "html", "stix", "misp"] = "text",
        as_of: Optional[str] = None,
    ) -> str: ...
    def score_many(
        self, cases: Iterable[_Case], as_of: Optional[str] = None
    ) -> list[dict[str, Any]]: ...

def compile(paths: Union[_Path, Sequence[_Path]]) -> Rules: ...
