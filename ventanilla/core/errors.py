"""Errors that services raise when a rule of the bank forbids what was asked."""


class DomainError(Exception):
    """A request that breaks a business rule; its message is shown to the user as is."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
