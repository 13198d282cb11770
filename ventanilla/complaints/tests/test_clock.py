"""The complaint clock against hand-worked cases, and properties over many random cases."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ventanilla.complaints import clock
from ventanilla.core.masking import mask_id_number, mask_name

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 26), True),  # Sunday, make-up for Spring Festival
        (date(2025, 1, 28), False),  # Spring Festival eve, a Tuesday
        (date(2025, 10, 8), False),  # Wednesday inside National Day
        (date(2025, 10, 11), True),  # Saturday make-up
        (date(2026, 1, 4), True),  # Sunday make-up after New Year
        (date(2026, 2, 23), False),  # Monday, last day of Spring Festival
        (date(2026, 6, 19), False),  # Dragon Boat, a Friday
        (date(2026, 9, 20), True),  # Sunday make-up for National Day
        (date(2026, 11, 28), False),  # an ordinary Saturday
        (date(2026, 11, 27), True),  # an ordinary Friday
    ],
)
def test_working_days_follow_the_state_council_schedule(day, working):
    assert clock.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2025, 9, 30), 1, date(2025, 10, 9)),  # over the whole Golden Week
        (date(2025, 9, 27), 1, date(2025, 9, 28)),  # the make-up Sunday counts
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # make-up Saturday before Spring Festival
        (date(2026, 2, 13), 2, date(2026, 2, 24)),  # then nine days off
        (date(2026, 9, 18), 15, date(2026, 10, 15)),  # Mid-Autumn, National Day, two make-ups
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # an ordinary weekend
        (date(2026, 11, 27), 0, date(2026, 11, 27)),
    ],
)
def test_add_working_days_by_hand(start, days, expected):
    assert clock.add_days(start, days, clock.WORKING) == expected


def test_calendar_days_ignore_holidays():
    assert clock.add_days(date(2026, 2, 10), 15, clock.CALENDAR) == date(2026, 2, 25)


def test_add_days_rejects_bad_input():
    with pytest.raises(ValueError, match="negative"):
        clock.add_days(date(2026, 1, 1), -1, clock.WORKING)
    with pytest.raises(ValueError, match="unknown day kind"):
        clock.add_days(date(2026, 1, 1), 1, "lunar")


def test_due_at_ends_the_last_day_in_local_time():
    received = datetime(2026, 2, 13, 10, 0, tzinfo=TZ)
    due = clock.due_at(received_at=received, days=1, kind=clock.WORKING, tz=TZ)
    assert due == datetime(2026, 2, 14, 23, 59, 59, tzinfo=TZ)


def test_receipt_late_in_the_evening_counts_from_the_local_date():
    # 23:30 in Shanghai is still 15:30 UTC the same day; the local date is what counts.
    received = datetime(2026, 3, 2, 15, 30, tzinfo=ZoneInfo("UTC"))
    due = clock.due_at(received_at=received, days=15, kind=clock.CALENDAR, tz=TZ)
    assert due == datetime(2026, 3, 17, 23, 59, 59, tzinfo=TZ)


def test_a_closed_pause_moves_the_due_time_by_its_length():
    received = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    pause = clock.Pause(
        start=datetime(2026, 3, 5, 9, 0, tzinfo=TZ), end=datetime(2026, 3, 8, 21, 0, tzinfo=TZ)
    )
    plain = clock.due_at(received_at=received, days=15, kind=clock.CALENDAR, tz=TZ)
    paused = clock.due_at(received_at=received, days=15, kind=clock.CALENDAR, tz=TZ, pauses=[pause])
    assert paused - plain == timedelta(days=3, hours=12)


def test_an_open_pause_needs_now_and_runs_until_it():
    received = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    pause = clock.Pause(start=datetime(2026, 3, 5, 9, 0, tzinfo=TZ))
    with pytest.raises(ValueError, match="now is required"):
        clock.due_at(received_at=received, days=15, kind=clock.CALENDAR, tz=TZ, pauses=[pause])
    now = datetime(2026, 3, 6, 9, 0, tzinfo=TZ)
    due = clock.due_at(
        received_at=received, days=15, kind=clock.CALENDAR, tz=TZ, pauses=[pause], now=now
    )
    assert due == datetime(2026, 3, 18, 23, 59, 59, tzinfo=TZ)


def test_extensions_add_their_steps_in_order():
    assert clock.limit_days(15, [15, 30], 0) == 15
    assert clock.limit_days(15, [15, 30], 1) == 30
    assert clock.limit_days(15, [15, 30], 2) == 60
    with pytest.raises(ValueError, match="more extensions"):
        clock.limit_days(15, [15, 30], 3)


def test_elapsed_share_and_remaining():
    received = datetime(2026, 3, 1, 0, 0, tzinfo=TZ)
    due = received + timedelta(days=10)
    assert clock.elapsed_share(received, due, received + timedelta(days=5)) == 0.5
    assert clock.remaining(due, received + timedelta(days=11)) == timedelta(days=-1)


def _random_case(rng: random.Random) -> tuple[datetime, int, str]:
    start = datetime(2025, 1, 1, tzinfo=TZ) + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
    return start, rng.randrange(0, 40), rng.choice([clock.CALENDAR, clock.WORKING])


def test_property_a_pause_never_shortens_the_time_left():
    rng = random.Random(20260101)
    for _ in range(500):
        received, days, kind = _random_case(rng)
        start = received + timedelta(hours=rng.randrange(0, 400))
        pause = clock.Pause(start=start, end=start + timedelta(minutes=rng.randrange(0, 20000)))
        now = start + timedelta(hours=rng.randrange(0, 400))
        without = clock.due_at(received_at=received, days=days, kind=kind, tz=TZ)
        with_pause = clock.due_at(
            received_at=received, days=days, kind=kind, tz=TZ, pauses=[pause], now=now
        )
        assert clock.remaining(with_pause, now) >= clock.remaining(without, now)


def test_property_an_extension_never_moves_the_due_time_earlier():
    rng = random.Random(20260102)
    for _ in range(500):
        received, days, kind = _random_case(rng)
        steps = [rng.randrange(0, 31) for _ in range(3)]
        dues = [
            clock.due_at(
                received_at=received, days=clock.limit_days(days, steps, n), kind=kind, tz=TZ
            )
            for n in range(4)
        ]
        assert dues == sorted(dues)


def test_property_n_working_days_are_n_working_days():
    rng = random.Random(20260103)
    for _ in range(300):
        received, days, _kind = _random_case(rng)
        start = received.date()
        end = clock.add_days(start, days, clock.WORKING)
        assert clock.working_days_between(start, end) == days
        assert days == 0 or clock.is_working_day(end)


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三", "张*"), ("欧阳明月", "欧***"), ("李", "李"), ("", "")],
)
def test_mask_name_keeps_the_family_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110105199001011234", "110***********1234"),
        ("11010519900101123X", "110***********123X"),
        ("E12345678", "*****5678"),
        ("123", "***"),
    ],
)
def test_mask_id_number_hides_the_birth_date(value, masked):
    assert mask_id_number(value) == masked
