"""Kernel forms: list filters, calendar import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .listing import ListFilterForm
from .models import AuditEvent, Document


class AuditEventFilterForm(ListFilterForm):
    """Who did what to which object, and when: the user, the kind and number of the object, an action, a period;
    `q` searches the object's name and the action."""

    search_fields = ("object_repr__icontains", "action__icontains")
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object number"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.core.cache import cache

        from .audit_actions import audit_action_label

        # the distinct actions and object types of an ever-growing table, read at most every ten minutes
        actions = cache.get_or_set("audit-filter-actions", _distinct_of("action"), 600)
        types = cache.get_or_set("audit-filter-object-types", _distinct_of("object_type"), 600)
        self.fields["action"].choices = [("", _("All"))] + [(a, f"{audit_action_label(a)} ({a})") for a in actions]
        self.fields["object_type"].choices = [("", _("All"))] + [(t, _object_type_name(t)) for t in types if t]
        # a value newer than the cached lists is still a valid filter
        for name, label in (("action", audit_action_label), ("object_type", _object_type_name)):
            value = self.data.get(name) if self.is_bound else None
            if value and value not in dict(self.fields[name].choices):
                self.fields[name].choices = [*self.fields[name].choices, (value, label(value))]

    def filter_queryset(self, qs):
        data = self.cleaned_data
        if data.get("actor"):
            qs = qs.filter(actor_username__iexact=data["actor"].strip())
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("object_type"):
            qs = qs.filter(object_type=data["object_type"])
        if data.get("object_id"):
            qs = qs.filter(object_id=data["object_id"].strip())
        if data.get("date_from"):
            qs = qs.filter(occurred_at__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(occurred_at__date__lte=data["date_to"])
        return qs


class NotificationFilterForm(ListFilterForm):
    search_fields = ("title__icontains", "body__icontains")
    unread = forms.BooleanField(label=_("Unread only"), required=False)

    def filter_queryset(self, qs):
        if self.cleaned_data.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        return qs


class DocumentFilterForm(ListFilterForm):
    search_fields = ("title__icontains",)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Document.Status.choices])

    def filter_queryset(self, qs):
        if self.cleaned_data.get("status"):
            qs = qs.filter(status=self.cleaned_data["status"])
        return qs


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Header date,type[,name]; type is holiday or workday. The file replaces the schedule of each year in it."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 200_000:
            raise forms.ValidationError(_("The file is too large for a holiday schedule (at most 200 KB)."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The file is not a UTF-8 or GBK text file."))


class YearMonthField(forms.Field):
    """A year-month date typed the way cadre records write it (1975.03, 1975年3月, 197503 …)."""

    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "placeholder": "1975.03", "maxlength": "20", "inputmode": "numeric"}

    def prepare_value(self, value):
        from .yearmonth import format_year_month

        return format_year_month(value) if hasattr(value, "year") else value

    def to_python(self, value):
        from .yearmonth import YearMonthError, parse_year_month

        text = (value or "").strip() if isinstance(value, str) else value
        if text in (None, ""):
            return None
        if isinstance(text, str) and len(text) > 20:
            raise forms.ValidationError("年月过长，应为 1975.03 的形式", code="year_month")
        try:
            return parse_year_month(text)
        except YearMonthError as exc:
            raise forms.ValidationError(str(exc), code="year_month") from None


def form_status(form: forms.BaseForm) -> int:
    """The HTTP status of a page showing `form`: 400 while it shows errors."""
    return 400 if form.errors else 200


def add_service_error(form: forms.BaseForm, exc) -> None:
    """Puts a service's refusal (ApplicationError) next to the fields it names, or above the form."""
    for field, message in exc.field_errors.items():
        form.add_error(field if field in form.fields else None, message)


def form_service(request, form: forms.BaseForm, act, success) -> bool:
    """The form → service → message step of a page: when `form` is valid, `act(cleaned_data)` calls the service and
    `success(result)` is shown as the message; a refusal (ApplicationError) lands next to the field it names.
    True when the service did its work (the caller then redirects), False when the form is to be shown again."""
    from django.contrib import messages

    from .exceptions import ApplicationError

    if not form.is_valid():
        return False
    try:
        result = act(form.cleaned_data)
    except ApplicationError as exc:
        add_service_error(form, exc)
        return False
    messages.success(request, success(result))
    return True


def _distinct_of(field: str):
    return lambda: list(AuditEvent.objects.order_by(field).values_list(field, flat=True).distinct())


def _object_type_name(label: str) -> str:
    from django.apps import apps

    try:
        return f"{apps.get_model(label)._meta.verbose_name} ({label})"
    except (LookupError, ValueError):
        return label
