from os import PathLike
from typing import Any, Iterable, Literal, Mapping, Optional, Sequence, Union

_Path = Union[str, PathLike[str]]
_Case = Union[dict[str, Any], str, bytes]
_Format = Literal["text", "json", "markdown", "html", "stix", "misp", "csv"]

class CompileError(Exception):
    diagnostics: list[dict[str, Any]]

class CaseError(ValueError):
    errors: list[dict[str, Any]]

class Rules:
    @property
    def ruleset(self) -> tuple[str, str, str]: ...
    @property
    def score_names(self) -> list[str]: ...
    @property
    def sources(self) -> list[tuple[str, str]]: ...
    def score(self, case: _Case, as_of: Optional[str] = None) -> dict[str, Any]: ...
    def render(
        self,
        case: _Case,
        format: _Format = "text",
        as_of: Optional[str] = None,
        hypotheses: bool = False,
    ) -> str: ...
    def score_many(
        self,
        cases: Iterable[Any],
        as_of: Optional[str] = None,
        threads: Optional[int] = None,
    ) -> list[dict[str, Any]]: ...
    def score_arrow(
        self,
        batch: Any,
        column: str = "case",
        as_of: Optional[str] = None,
        threads: Optional[int] = None,
        trace: bool = True,
    ) -> Any: ...
    def __reduce__(self) -> tuple[Any, tuple[list[tuple[str, str]], str]]: ...

def compile(paths: Union[_Path, Sequence[_Path]]) -> Rules: ...
def compile_sources(
    sources: Union[Mapping[str, str], Sequence[tuple[str, str]]]
) -> Rules: ...
def _rebuild(sources: list[tuple[str, str]], hash: str) -> Rules: ...
