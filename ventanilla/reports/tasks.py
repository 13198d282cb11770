"""Background generation of documents: a thin wrapper around the service.

The broker may deliver the message twice; the service leaves a report that is already
ready or failed as it is.
"""

import logging

from celery import shared_task

from ventanilla.reports.services import report_generate

logger = logging.getLogger(__name__)


@shared_task(name="ventanilla.reports.tasks.generate_report", ignore_result=True)
def generate_report(report_id: int) -> str:
    report = report_generate(report_id=report_id)
    state = report.state if report else "missing"
    logger.info("Report %s: %s.", report_id, state)
    return state
