"""Kernel app configuration: roles' permissions, navigation, work queues and document kinds."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "orgdept.core"
    label = "core"
    verbose_name = _("System")

    def ready(self):
        from . import audit_signals, calendar_pdf, home, roles  # noqa: F401
        from .shell import NavItem, register_nav, register_work_queue

        roles.register_role_permissions(
            roles.SYSTEM_ADMIN,
            [
                "core.view_auditevent",
                "core.view_calendaryear",
                "core.add_calendaryear",
                "core.change_calendaryear",
                "core.view_calendarday",
                "core.add_calendarday",
                "core.change_calendarday",
                "core.delete_calendarday",
                "auth.view_user",
                "auth.add_user",
                "auth.change_user",
                "auth.view_group",
            ],
        )
        register_nav(NavItem(_("Home"), "core:home", order=0))
        register_nav(NavItem(_("Working-day calendar"), "core:calendar", order=80))
        register_nav(NavItem(_("Audit trail"), "core:audit_list", order=90, perm="core.view_auditevent"))
        register_nav(NavItem(_("Administration"), "admin:index", roles=(roles.SYSTEM_ADMIN,), order=95))
        register_work_queue(home.kernel_sections)
        calendar_pdf.register()
        post_migrate.connect(roles.sync_role_permissions_after_migrate, sender=self)

        from django.contrib.auth.signals import user_logged_in

        from .middleware import IdleSessionTimeoutMiddleware

        user_logged_in.connect(IdleSessionTimeoutMiddleware.record_sign_in, dispatch_uid="orgdept-idle-sign-in")
        from .twofactor import mark_sign_in_without_code

        user_logged_in.connect(mark_sign_in_without_code, dispatch_uid="orgdept-two-factor-sign-in")

        # a document is granted to who asked for it: the grants go with the document
        from .models import Document
        from .object_permissions import forget_object_permissions_on_delete

        forget_object_permissions_on_delete(Document)
