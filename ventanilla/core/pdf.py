"""Print-ready A4 PDF from HTML, with the Chinese glyphs embedded.

WeasyPrint lays the same HTML a report shows in the browser out on A4 pages and embeds the
subset of each font it uses, so a PDF opens with its Chinese text on any machine. The CJK
font comes from the operating system (Debian's ``fonts-noto-cjk``); without one the PDF
would silently show empty boxes, so generation refuses with a clear message instead.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from django.contrib.staticfiles import finders

from ventanilla.core.errors import DomainError

# Families tried in order; the first installed one is used for Chinese text.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")


@functools.cache
def cjk_font_family() -> str | None:
    """The name of an installed font family with Chinese glyphs, or None."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    out = subprocess.run(  # noqa: S603 - fixed arguments, no user input
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    installed = {name.strip() for line in out.splitlines() for name in line.split(",")}
    return next((f for f in CJK_FAMILIES if f in installed), None)


@functools.cache
def cjk_font_file() -> str | None:
    """The file of that font (for charts drawn outside the browser), or None."""
    family = cjk_font_family()
    fc_match = shutil.which("fc-match")
    if family is None or fc_match is None:
        return None
    out = subprocess.run(  # noqa: S603 - fixed arguments, no user input
        [fc_match, "-f", "%{file}", f"{family}:style=Regular"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return out or None


def require_cjk_font() -> str:
    family = cjk_font_family()
    if family is None:
        raise DomainError(
            "No font with Chinese glyphs is installed, so a PDF would show empty boxes. "
            "Install one (on Debian: apt-get install fonts-noto-cjk) and try again."
        )
    return family


def print_css() -> str:
    """The shared A4 print stylesheet, read from the app's own static files."""
    path = finders.find("css/print.css")
    if not path:
        raise DomainError("css/print.css is missing from the static files")
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def html_to_pdf(html: str) -> bytes:
    """Lay ``html`` out on A4 and return the PDF bytes."""
    from weasyprint import CSS, HTML  # imported here: loading Pango takes a moment

    family = require_cjk_font()
    base = CSS(string=print_css() + f'\nhtml {{ font-family: "{family}", sans-serif; }}\n')
    pdf = HTML(string=html).write_pdf(stylesheets=[base])
    if pdf is None:  # only when a target file is given, which this never does
        raise DomainError("the PDF could not be written")
    return bytes(pdf)
