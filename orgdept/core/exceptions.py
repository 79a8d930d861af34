"""Errors that services raise for users to read (Chinese messages, shown next to the form)."""


class ApplicationError(Exception):
    """A rule of the domain refused the request; `message` is shown to the user as is."""

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message
