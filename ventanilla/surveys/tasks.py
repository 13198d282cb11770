"""Background work of evaluations: thin wrappers around services.

A second delivery of the retraining message trains once more on the same data and
re-classifies the same comments to the same themes: harmless.
"""

import logging

from celery import shared_task

from ventanilla.surveys.models import Response
from ventanilla.surveys.services import comments_classify, theme_model_train

logger = logging.getLogger(__name__)


@shared_task(name="ventanilla.surveys.tasks.retrain_theme_model", ignore_result=True)
def retrain_theme_model() -> int:
    """Train the theme classifier on the corpus and the comments users confirmed, then
    re-classify every comment nobody has confirmed."""
    version = theme_model_train()
    classified = comments_classify()
    logger.info(
        "Theme model %s trained on %d corpus and %d confirmed comments; %d comments classified.",
        version.sha256[:12],
        version.corpus_examples,
        version.confirmed_examples,
        classified,
    )
    return classified


@shared_task(name="ventanilla.surveys.tasks.classify_wave_comments", ignore_result=True)
def classify_wave_comments(wave_id: int) -> int:
    """Give the unconfirmed comments of a wave their themes (queued by an import)."""
    return comments_classify(responses=Response.objects.filter(wave_id=wave_id))
