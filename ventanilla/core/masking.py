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


def mask_name(value: str) -> str:
    """Keep the first character: ``张三`` becomes ``张*``, ``欧阳明`` becomes ``欧**``."""
    value = (value or "").strip()
    if len(value) <= 1:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_id_number(value: str) -> str:
    """Hide all but the region and the last four: ``110105199001011234`` → ``110***********1234``.

    A resident ID number keeps its first three and last four characters, so the birth date
    (characters 7 to 14) is always hidden; shorter numbers (passports) keep the last four
    at most, and four characters or fewer show nothing.
    """
    value = (value or "").strip()
    length = len(value)
    if length >= 15:
        head, tail = 3, 4
    elif length >= 8:
        head, tail = 0, 4
    elif length >= 5:
        head, tail = 0, 2
    else:
        head, tail = 0, 0
    return value[:head] + "*" * (length - head - tail) + value[length - tail :]
