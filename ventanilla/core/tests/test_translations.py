"""Every user-facing message is translated into Chinese and Spanish, and compiled."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from ventanilla.core.testing import need

PACKAGE = Path(__file__).resolve().parents[2]
LANGUAGES = ["zh_Hans", "es"]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """Extract the messages of the current source into a copy of the catalogs."""
    need(shutil.which("xgettext") is not None, "gettext is not installed (apt-get install gettext)")
    root = tmp_path_factory.mktemp("i18n")
    shutil.copytree(
        PACKAGE, root / "ventanilla", ignore=shutil.ignore_patterns("__pycache__", "static")
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "DJANGO_SETTINGS_MODULE": "ventanilla.settings.test",
    }
    # -P: the package folder holds celery.py, which must not shadow the celery package.
    args = [sys.executable, "-P", "-m", "django", "makemessages", "--no-obsolete", "--no-location"]
    for lang in LANGUAGES:
        args += ["-l", lang]
    subprocess.run(args, cwd=root / "ventanilla", env=env, check=True, capture_output=True)
    return root / "ventanilla" / "locale"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_has_a_translation(extracted, lang):
    catalog = polib.pofile(str(extracted / lang / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalog if not e.translated() and not e.obsolete]
    fuzzy = [e.msgid for e in catalog if "fuzzy" in e.flags]
    assert not missing, f"{len(missing)} messages lack a {lang} translation: {missing[:20]}"
    assert not fuzzy, f"{len(fuzzy)} {lang} translations are marked fuzzy: {fuzzy[:20]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_the_source(lang):
    folder = PACKAGE / "locale" / lang / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    mo = polib.mofile(str(folder / "django.mo"))
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
    }
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{lang}: {entry.msgid!r} is not compiled; run make messages"
        assert compiled[key] == (
            entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())),
        ), f"{lang}: the compiled translation of {entry.msgid!r} is stale; run make messages"
