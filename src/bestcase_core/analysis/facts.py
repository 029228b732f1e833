"""Facts a parser measures exactly, per rubric dimension, each with the lines it is about.

:func:`analyze` turns a file's text into :class:`FileFacts`: counts and shares
(``metrics``) that the judge combines into scores, and :class:`Finding` rows
(a strength or a weakness, its dimension, its lines) that become the reasons.
Every measure comes from a syntax tree (tree-sitter); none from regular
expressions over the source.
"""

from __future__ import annotations

from .collect import _Acc
from .fetching import _late_fetches
from .findings import FileFacts
from .parse import parse_source
from .script import _script_facts, _watch_syncs
from .summary import _summarize
from .template import _outside_facts, _template_facts


def analyze(text: str, path: str, role: str | None = None) -> FileFacts:
    """Parse ``text`` (a file at ``path`` in its project) and measure it. Never raises on bad input."""
    try:
        parsed = parse_source(text, path)
    except Exception as exc:  # a grammar that cannot even start: judged without facts
        return FileFacts(
            path=path,
            kind="unknown",
            parse="failed",
            problems=[f"parser failed: {exc}"],
            lines=text.count("\n") + 1,
            logic_lines=0,
            applies=[],
        )
    posix = "/" + path.replace("\\", "/")
    acc = _Acc(
        server="/server/" in posix,
        handler=any(f"/server/{d}/" in posix for d in ("api", "routes", "middleware")),
        vue=parsed.kind == "vue",
    )
    # state at a module's top is shared by every request on the server; a `.client.ts` file never runs there
    module_file = parsed.kind != "vue" and (role in ("composable", "store", "util") if role else True)
    module_file = module_file and ".client." not in posix.rsplit("/", 1)[-1]
    for script in parsed.scripts:
        _script_facts(script, acc, module_file)
    if parsed.template is not None:
        _template_facts(parsed.template, acc)
    _late_fetches(acc)
    _watch_syncs(acc)
    _outside_facts(parsed, acc)
    return _summarize(parsed, acc)
