"""Ventanilla: customer satisfaction and service quality for a bank's branch network."""

from ventanilla.celery import app as celery_app

__all__ = ["celery_app"]
