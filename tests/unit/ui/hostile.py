"""Values an attacker can place in data the workbench shows (nicknames, file names, passages)."""

from __future__ import annotations

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "<script>window.__xss=1</script>"
LINK = '<a href="javascript:window.__xss=1">点我</a>'
ATTR = '" onmouseover="window.__xss=1'
MARKDOWN = "![x](javascript:window.__xss=1) [点我](javascript:window.__xss=1)"
SVG = "<svg onload=alert('xss')>"
VALUES = (IMG, SCRIPT, LINK, ATTR, MARKDOWN, SVG)
EVERYTHING = " ".join(VALUES)


def assert_inert(html: str) -> None:
    """No tag or attribute from the hostile values survived as markup."""
    for raw in ("<img", "<script", "<a href", '" onmouseover', "<svg"):
        assert raw not in html, f"{raw!r} reached the page unescaped"
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in html
