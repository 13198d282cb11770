"""Themes of what customers wrote: the labelled corpus, its split, and the classifier.

Plain module (no Django): the app's services feed it the corpus, the comments users
confirmed and the keyword lexicon, and store what it learns.

One model per language. Chinese text is cut into character 1–2-grams (no word segmenter is
needed, and two-character words such as 排队 or 网银 are caught whole; with some fifty
examples a theme, trigrams are nearly all seen once and cross-validated worse). Spanish
and English into word 1–2-grams plus character 2–5-grams inside words, which tolerate
plurals, accents left out and typing slips. Each theme has its own linear SVM (classes
balanced) and its own
decision threshold on the margin, the one that maximised F1 over out-of-fold margins on
the training data. Sentiment is a three-class linear SVM on the same features.

The keyword lexicon plays two parts. *Hint* keywords (the shipped lexicon: domain words
such as comisión, statement, 回单) are one feature column per theme whose weight the model
learns: they carry the paraphrases that fifty examples cannot. *Decisive* keywords (what
users add) force their theme whatever the model says, from the next classification on,
without waiting for a retraining.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

THEME_IDS = (
    "staff_attitude",
    "documents_delivery",
    "waiting_time",
    "fees",
    "online_banking",
    "loan_process",
    "product_information",
    "vip_service",
    "manager_turnover",
    "staff_competence",
    "environment_facilities",
)
SENTIMENTS = ("negative", "neutral", "positive")
LANGUAGES = ("zh", "es", "en")
SEPARATOR = "|"
# Every HOLD_OUT_EVERY-th example of a stratum (language × first theme), in the order of
# the hash of its text, is held out for evaluation: 25%.
HOLD_OUT_EVERY = 4
# Candidate decision thresholds on the SVM margin, tuned per theme on out-of-fold margins.
THRESHOLDS = tuple(t / 20 for t in range(-20, 13))
FOLDS = 4
SVM_C = 1.0
# Weight of a hint keyword's column beside the TF-IDF columns (which have unit norm): chosen
# by cross-validation on the training part (0.3 of 0, 0.3, 0.6, 1 in all three languages).
HINT_WEIGHT = 0.3


class CorpusError(ValueError):
    """A labelled file that cannot be read; the message names the line and the problem."""


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    themes: frozenset[str]
    sentiment: str = ""


@dataclass(frozen=True)
class Prediction:
    themes: tuple[str, ...]
    sentiment: str
    # theme → "keyword" or "model": where the theme came from.
    sources: Mapping[str, str] = field(default_factory=dict)


def normalise(text: str) -> str:
    """Lower case, accents dropped, spaces collapsed: "Comisión" and "comision" match."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", bare.strip())


def read_examples(
    text: str, *, known_themes: Iterable[str] = THEME_IDS, need_sentiment: bool = False
) -> list[Example]:
    """Examples from a CSV with columns ``text``, ``lang``, ``themes`` (and ``sentiment``)."""
    known = set(known_themes)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    needed = ["text", "lang", "themes"] + (["sentiment"] if need_sentiment else [])
    missing = [c for c in needed if c not in header]
    if missing:
        raise CorpusError(
            f"the file has no column {', '.join(missing)} (it has: {', '.join(header)})"
        )
    reader.fieldnames = header
    examples = []
    for line, row in enumerate(reader, start=2):
        body = (row.get("text") or "").strip()
        lang = (row.get("lang") or "").strip().lower()
        if not body:
            raise CorpusError(f"line {line}: the text is empty")
        if lang not in LANGUAGES:
            raise CorpusError(f"line {line}: unknown language {lang!r}; use zh, es or en")
        themes = frozenset(
            t.strip() for t in (row.get("themes") or "").split(SEPARATOR) if t.strip()
        )
        unknown = sorted(themes - known)
        if unknown:
            raise CorpusError(f"line {line}: unknown theme {', '.join(unknown)}")
        sentiment = (row.get("sentiment") or "").strip().lower()
        if sentiment and sentiment not in SENTIMENTS:
            raise CorpusError(f"line {line}: unknown sentiment {sentiment!r}")
        if need_sentiment and not sentiment:
            raise CorpusError(f"line {line}: the sentiment is empty")
        examples.append(Example(body, lang, themes, sentiment))
    return examples


def _digest(text: str) -> str:
    return hashlib.sha256(normalise(text).encode()).hexdigest()


def split(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(training, held out): within each stratum (language × alphabetically first theme,
    or no theme), examples sorted by the SHA-256 of their normalised text; every fourth,
    starting with the second, is held out. The same text always falls on the same side,
    whatever the order of the file, and every stratum of two or more is on both sides."""
    strata: dict[tuple[str, str], list[Example]] = defaultdict(list)
    for example in examples:
        first = min(example.themes) if example.themes else ""
        strata[(example.lang, first)].append(example)
    training: list[Example] = []
    held_out: list[Example] = []
    for key in sorted(strata):
        for i, example in enumerate(sorted(strata[key], key=lambda e: _digest(e.text))):
            (held_out if i % HOLD_OUT_EVERY == 1 else training).append(example)
    return training, held_out


def keyword_hits(text: str, keywords: Mapping[str, Iterable[str]]) -> set[str]:
    """The themes one of whose keywords occurs in ``text`` (case and spacing ignored)."""
    body = normalise(text)
    return {
        theme
        for theme, words in keywords.items()
        if any(normalise(w) in body for w in words if w.strip())
    }


# --- The model ----------------------------------------------------------------------------

Lexicon = Mapping[str, Mapping[str, Iterable[str]]]  # language → theme → keywords


def _vectorizer(lang: str) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    if lang == "zh":
        return TfidfVectorizer(
            analyzer="char", ngram_range=(1, 2), sublinear_tf=True, preprocessor=normalise
        )
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    preprocessor=normalise,
                    token_pattern=r"(?u)\b\w+\b",  # noqa: S106 - a regex, not a secret
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    preprocessor=normalise,
                ),
            ),
        ]
    )


def _svm() -> Any:
    from sklearn.svm import LinearSVC

    # Balanced: each theme is in about one comment in ten.
    return LinearSVC(C=SVM_C, class_weight="balanced", random_state=0)


def _best_threshold(truth: Sequence[int], scores: Sequence[float]) -> float:
    best, best_f1 = 0.0, -1.0
    for threshold in THRESHOLDS:
        tp = sum(1 for t, s in zip(truth, scores, strict=True) if t and s >= threshold)
        fp = sum(1 for t, s in zip(truth, scores, strict=True) if not t and s >= threshold)
        fn = sum(1 for t, s in zip(truth, scores, strict=True) if t and s < threshold)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        # Ties go to the threshold nearest the margin, the least tuned choice.
        if f1 > best_f1 or (f1 == best_f1 and abs(threshold) < abs(best)):
            best, best_f1 = threshold, f1
    return best


def _hint_matrix(texts: Sequence[str], hints: Mapping[str, Sequence[str]]) -> Any:
    """One column per theme: HINT_WEIGHT when a hint keyword of the theme is in the text."""
    from scipy import sparse

    rows = []
    for text in texts:
        body = normalise(text)
        rows.append(
            [HINT_WEIGHT if any(k in body for k in hints.get(t, ())) else 0.0 for t in THEME_IDS]
        )
    return sparse.csr_matrix(rows, shape=(len(texts), len(THEME_IDS)))


@dataclass
class LanguageModel:
    lang: str
    vectorizer: Any
    hints: dict[str, list[str]]  # theme → normalised hint keywords, as at training
    themes: dict[str, Any]  # theme → fitted linear SVM
    thresholds: dict[str, float]  # on the SVM's decision function
    sentiment: Any | None
    trained_on: int

    def features(self, texts: Sequence[str]) -> Any:
        from scipy import sparse

        return sparse.hstack(
            [self.vectorizer.transform(texts), _hint_matrix(texts, self.hints)]
        ).tocsr()

    def predict(self, texts: Sequence[str]) -> list[tuple[set[str], str]]:
        if not texts:
            return []
        features = self.features(texts)
        chosen: list[set[str]] = [set() for _ in texts]
        for theme, model in self.themes.items():
            for i, margin in enumerate(model.decision_function(features)):
                if margin >= self.thresholds[theme]:
                    chosen[i].add(theme)
        if self.sentiment is not None:
            moods = [str(m) for m in self.sentiment.predict(features)]
        else:
            moods = [""] * len(texts)
        return list(zip(chosen, moods, strict=True))


def fit_language(
    lang: str, examples: Sequence[Example], hints: Mapping[str, Iterable[str]] | None = None
) -> LanguageModel | None:
    """A model for one language, or None without at least two examples."""
    from scipy import sparse
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    mine = [e for e in examples if e.lang == lang]
    if len(mine) < 2:
        return None
    texts = [e.text for e in mine]
    normalised_hints = {
        theme: sorted({normalise(k) for k in words if k.strip()})
        for theme, words in (hints or {}).items()
    }
    vectorizer = _vectorizer(lang)
    features = sparse.hstack(
        [vectorizer.fit_transform(texts), _hint_matrix(texts, normalised_hints)]
    ).tocsr()
    models: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    for theme in THEME_IDS:
        truth = [int(theme in e.themes) for e in mine]
        positives = sum(truth)
        if positives == 0 or positives == len(truth):
            continue
        threshold = 0.0
        folds = min(FOLDS, positives, len(truth) - positives)
        if folds >= 2:
            cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
            margins = cross_val_predict(_svm(), features, truth, cv=cv, method="decision_function")
            threshold = _best_threshold(truth, [float(m) for m in margins])
        models[theme] = _svm().fit(features, truth)
        thresholds[theme] = threshold
    moods = [e.sentiment for e in mine]
    sentiment = None
    labelled = [i for i, m in enumerate(moods) if m]
    if len({moods[i] for i in labelled}) >= 2:
        sentiment = _svm().fit(features[labelled], [moods[i] for i in labelled])
    return LanguageModel(
        lang, vectorizer, normalised_hints, models, thresholds, sentiment, len(mine)
    )


@dataclass
class ThemeClassifier:
    """The per-language models; a language without one gets keyword themes only."""

    languages: dict[str, LanguageModel]

    @classmethod
    def fit(cls, examples: Sequence[Example], hints: Lexicon | None = None) -> ThemeClassifier:
        """``hints``: keywords the model may lean on (features it learns to weigh)."""
        languages = {}
        for lang in LANGUAGES:
            model = fit_language(lang, examples, (hints or {}).get(lang))
            if model is not None:
                languages[lang] = model
        return cls(languages)

    def predict(
        self, texts: Sequence[str], lang: str, decisive: Lexicon | None = None
    ) -> list[Prediction]:
        """Themes and sentiment of each text. A ``decisive`` keyword found in a text forces
        its theme whatever the model says."""
        model = self.languages.get(lang)
        predicted = model.predict(texts) if model is not None else [(set(), "")] * len(texts)
        keywords = (decisive or {}).get(lang, {})
        result = []
        for text, (themes, mood) in zip(texts, predicted, strict=True):
            forced = keyword_hits(text, keywords)
            sources = {t: "model" for t in themes} | {t: "keyword" for t in forced}
            ordered = tuple(t for t in THEME_IDS if t in sources) + tuple(
                sorted(t for t in sources if t not in THEME_IDS)
            )
            result.append(Prediction(ordered, mood, sources))
        return result


# --- Evaluation --------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    support: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class LanguageScore:
    lang: str
    n: int
    themes: list[ThemeScore]

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the themes present in the truth or in the predictions."""
        scored = [t.f1 for t in self.themes]
        return sum(scored) / len(scored) if scored else 0.0


def score(
    truth: Sequence[frozenset[str] | set[str]],
    predicted: Sequence[Iterable[str]],
    lang: str,
) -> LanguageScore:
    """Per-theme precision, recall and F1 of ``predicted`` against ``truth``."""
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    for real, guess in zip(truth, predicted, strict=True):
        guessed = set(guess)
        for theme in guessed | set(real):
            if theme in real and theme in guessed:
                tp[theme] += 1
            elif theme in guessed:
                fp[theme] += 1
            else:
                fn[theme] += 1
    themes = [t for t in THEME_IDS if tp[t] or fp[t] or fn[t]] + sorted(
        t for t in set(tp) | set(fp) | set(fn) if t not in THEME_IDS and (tp[t] or fp[t] or fn[t])
    )
    lines = []
    for theme in themes:
        p = tp[theme] / (tp[theme] + fp[theme]) if tp[theme] + fp[theme] else 0.0
        r = tp[theme] / (tp[theme] + fn[theme]) if tp[theme] + fn[theme] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        lines.append(ThemeScore(theme, tp[theme] + fn[theme], p, r, f1))
    return LanguageScore(lang, len(truth), lines)


def evaluate(
    classifier: ThemeClassifier,
    examples: Sequence[Example],
    decisive: Lexicon | None = None,
) -> list[LanguageScore]:
    """Scores per language, in the order zh, es, en, of the languages ``examples`` hold."""
    result = []
    for lang in LANGUAGES:
        mine = [e for e in examples if e.lang == lang]
        if not mine:
            continue
        predictions = classifier.predict([e.text for e in mine], lang, decisive)
        result.append(score([e.themes for e in mine], [p.themes for p in predictions], lang))
    return result


def report_lines(scores: Sequence[LanguageScore]) -> list[str]:
    """The text ``ventanilla themes evaluate`` prints: a table per language, then one
    ``macro_f1 LANG 0.84`` line per language."""
    lines = []
    for s in scores:
        lines.append(f"{s.lang} ({s.n} comments)")
        lines.append(f"  {'theme':<24}{'support':>8}{'precision':>11}{'recall':>8}{'f1':>7}")
        for t in s.themes:
            lines.append(
                f"  {t.theme:<24}{t.support:>8}{t.precision:>11.2f}{t.recall:>8.2f}{t.f1:>7.2f}"
            )
    lines.extend(f"macro_f1 {s.lang} {s.macro_f1:.2f}" for s in scores)
    return lines


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def training_digest(examples: Sequence[Example], hints: Lexicon | None) -> str:
    """Identifies what a model is trained on: the same examples and hints give the same."""
    digest = hashlib.sha256()
    for e in sorted(examples, key=lambda e: (e.lang, e.text, sorted(e.themes), e.sentiment)):
        digest.update(repr((e.lang, e.text, sorted(e.themes), e.sentiment)).encode())
    for lang in sorted(hints or {}):
        for theme in sorted((hints or {})[lang]):
            digest.update(repr((lang, theme, sorted((hints or {})[lang][theme]))).encode())
    return digest.hexdigest()
