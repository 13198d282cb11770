"""``ventanilla themes evaluate [FILE]`` and ``ventanilla themes classify IN.csv OUT.csv``.

``evaluate`` scores the current theme model (with the keyword lexicon, as comments are
classified in the application) on the held-out part of the shipped corpus, or on FILE, a
CSV with columns ``text``, ``lang`` and ``themes`` (ids separated by ``|``): precision,
recall and F1 per theme and language, then one ``macro_f1 LANG 0.84`` line per language.

``classify`` copies a CSV with a ``text`` column (and, optionally, ``lang``), adding the
predicted ``themes`` and ``sentiment`` columns.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.core.errors import DomainError
from ventanilla.surveys import services, themes
from ventanilla.surveys.importing import detect_language
from ventanilla.surveys.models import Theme


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise CommandError(f"No file {path}.") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} is not UTF-8 text.") from error


class Command(BaseCommand):
    help = "Evaluate the comment theme model, or classify the comments of a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser(
            "evaluate", help="Precision, recall and F1 per theme on the held-out part or FILE."
        )
        evaluate.add_argument("file", nargs="?", help="CSV with columns text, lang, themes.")
        classify = sub.add_parser("classify", help="Add themes and sentiment columns to a CSV.")
        classify.add_argument("input", help="CSV with a text column (and optionally lang).")
        classify.add_argument("output", help="Where to write the CSV with the new columns.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "evaluate":
                self._evaluate(options.get("file"))
            else:
                self._classify(options["input"], options["output"])
        except DomainError as error:
            raise CommandError(error.message) from error

    def _evaluate(self, path: str | None) -> None:
        codes = list(Theme.objects.values_list("code", flat=True))
        if path:
            try:
                examples = themes.read_examples(_read(path), known_themes=codes)
            except themes.CorpusError as error:
                raise CommandError(f"{path}: {error}") from error
        else:
            _training, examples = themes.split(services.corpus_examples())
        if not examples:
            raise CommandError("No labelled comments to evaluate on.")
        classifier = services.theme_classifier()
        scores = themes.evaluate(classifier, examples, services.theme_lexicon_map(is_decisive=True))
        self.stdout.write("\n".join(themes.report_lines(scores)))

    def _classify(self, source: str, target: str) -> None:
        reader = csv.DictReader(io.StringIO(_read(source)))
        header = [h.strip() for h in reader.fieldnames or []]
        if "text" not in header:
            raise CommandError(
                f"{source} has no text column (its columns: {', '.join(header) or 'none'})."
            )
        reader.fieldnames = header
        rows = list(reader)
        classifier = services.theme_classifier()
        lexicon = services.theme_lexicon_map(is_decisive=True)
        by_language: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            text = (row.get("text") or "").strip()
            lang = (row.get("lang") or "").strip().lower() or detect_language(text)
            if lang not in themes.LANGUAGES and text:
                raise CommandError(
                    f"{source}, line {i + 2}: unknown language {lang!r}; use zh, es or en."
                )
            by_language.setdefault(lang, []).append(i)
        out_columns = [h for h in header if h not in ("themes", "sentiment")]
        out_columns += ["themes", "sentiment"]
        for lang, indexes in by_language.items():
            texts = [(rows[i].get("text") or "").strip() for i in indexes]
            if not lang:
                predictions = [themes.Prediction((), "") for _t in texts]
            else:
                predictions = classifier.predict(texts, lang, lexicon)
            for i, prediction in zip(indexes, predictions, strict=True):
                rows[i]["themes"] = themes.SEPARATOR.join(prediction.themes)
                rows[i]["sentiment"] = prediction.sentiment
        with open(target, "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=out_columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        self.stdout.write(f"{len(rows)} comments classified into {target}.")
