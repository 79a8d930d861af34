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

    @classmethod
    def from_errors(cls, errors: dict[str, str]) -> "ApplicationError":
        """One refusal naming several fields ({field: message}); the form shows each next to its field."""
        return cls("；".join(errors.values()), field=next(iter(errors)), extra={"errors": errors})

    @classmethod
    def from_validation(cls, exc) -> "ApplicationError":
        """A model's full_clean() ValidationError, first message per field."""
        return cls.from_errors({field: messages[0] for field, messages in exc.message_dict.items()})

    @property
    def field_errors(self) -> dict[str | None, str]:
        return self.extra.get("errors") or {self.field: self.message}


def violated_constraint(exc: Exception) -> str | None:
    """The name of the database constraint an IntegrityError broke, when the database says (PostgreSQL does;
    SQLite does not, and None is returned)."""
    diag = getattr(getattr(exc, "__cause__", None), "diag", None)
    return getattr(diag, "constraint_name", None)
