import pytest

from ventanilla.complaints import sms


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Texts go to the in-memory outbox, emptied for every test."""
    settings.COMPLAINTS_SMS_BACKEND = "ventanilla.complaints.sms.LocMemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
