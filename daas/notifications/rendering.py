"""An e-mail's two bodies from its wording: the layouts `templates/emails/layout.html` (autoescaped: what
an event's data holds never becomes markup) and `layout.txt`, rendered with a plain Jinja2 environment over
the project's `templates/` folder, the one the pages use (found as `create_app` finds it, beside the
package), so no Flask is needed to render an e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from daas.notifications.wording import Wording

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
HTML_LAYOUT = "emails/layout.html"
TEXT_LAYOUT = "emails/layout.txt"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("txt",), default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _text(rendered: str) -> str:
    """No run of blank lines longer than one, and one newline at the end."""
    lines: list[str] = []
    for line in rendered.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line if line == "-- " else line.rstrip())
    return "\n".join(lines).strip("\n") + "\n"


def render_email(wording: Wording) -> RenderedEmail:
    environment = _environment()
    text_layout = environment.get_template(TEXT_LAYOUT)
    return RenderedEmail(
        subject=wording.subject,
        text=_text(text_layout.render(w=wording)),
        html=environment.get_template(HTML_LAYOUT).render(w=wording),
    )
