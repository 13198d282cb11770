"""How personal data is shown to roles that do not need it in full (financial-industry style)."""


def mask_phone(value: str) -> str:
    """Hide the middle of a phone number: ``13812341234`` becomes ``138****1234``.

    Mobile numbers keep their first three and last four digits, the way banks print them;
    shorter numbers show less of themselves, and four digits or fewer show nothing.
    """
    value = (value or "").strip()
    length = len(value)
    if length >= 11:
        head, tail = 3, 4
    elif length >= 8:
        head, tail = 2, 2
    elif length >= 5:
        head, tail = 0, 2
    else:
        head, tail = 0, 0
    return value[:head] + "*" * (length - head - tail) + value[length - tail :]
