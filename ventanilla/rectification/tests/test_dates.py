from datetime import date

import pytest

from ventanilla.rectification.dates import quarter_bounds


def test_quarter_bounds_are_half_open_and_cross_the_year():
    assert quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 4, 1))
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2027, 1, 1))
    with pytest.raises(ValueError, match="1 to 4"):
        quarter_bounds(2026, 5)
