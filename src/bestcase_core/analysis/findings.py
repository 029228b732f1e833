"""The facts of one file: :class:`Finding` rows (a strength or a weakness, with its lines) and :class:`FileFacts`."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Finding(BaseModel):
    """One fact worth telling: a strength (``good``) or a weakness, with its dimension and lines."""

    dimension: str
    key: str
    good: bool
    text: str
    lines: list[int] = Field(default_factory=list)

    def render(self) -> str:
        if not self.lines:
            return self.text
        shown = sorted(set(self.lines))
        more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
        label = "line" if len(shown) == 1 else "lines"
        return f"{self.text} ({label} {', '.join(str(n) for n in shown[:4])}{more})"


class FileFacts(BaseModel):
    """What the parser measured in one file."""

    path: str
    kind: str
    parse: str = Field(description="full, partial (some syntax errors; judged on what parsed) or failed")
    problems: list[str] = Field(default_factory=list)
    lines: int
    logic_lines: int = Field(description="script lines that are not blank, comments or imports")
    template_lines: int = Field(0, description="lines of a .vue file's <template> (0 for other files)")
    data_lines: int = Field(0, description="of the logic lines, those inside literals of values (a menu, a table)")
    applies: list[str] = Field(description="dimensions this file can be judged on, from what it contains")
    metrics: dict[str, float] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="Nuxt/Vue patterns the file shows others")

    def good(self) -> list[Finding]:
        return [f for f in self.findings if f.good]

    def code_lines(self) -> int:
        """What the judge read of the file: its logic lines and its template's lines."""
        return self.logic_lines + self.template_lines

    def bad(self) -> list[Finding]:
        return [f for f in self.findings if not f.good]
