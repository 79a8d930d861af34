"""Committee URLs (namespace `committees`)."""

from django.urls import path

from .views import absences, portfolios, terms

app_name = "committees"

urlpatterns = [
    # the committee and its terms (组织科 keeps them; the committee's business roles read them)
    path("", terms.term_overview, name="term_overview"),
    path("terms/", terms.term_list, name="term_list"),
    path("terms/new/", terms.term_create, name="term_create"),
    path("terms/change/", terms.term_change, name="term_change"),
    path("terms/<int:pk>/", terms.term_detail, name="term_detail"),
    path("terms/<int:pk>/edit/", terms.term_edit, name="term_edit"),
    path("terms/<int:pk>/members/new/", terms.member_add, name="member_add"),
    path("terms/<int:pk>/import/", terms.member_import, name="member_import"),
    path("imports/<int:pk>/", terms.member_import_batch, name="member_import_batch"),
    path("imports/<int:pk>/commit/", terms.member_import_commit, name="member_import_commit"),
    path("import-template/", terms.member_import_template, name="member_import_template"),
    path("members/<int:pk>/edit/", terms.member_edit, name="member_edit"),
    path("members/<int:pk>/role/", terms.member_role, name="member_role"),
    path("members/<int:pk>/leave/", terms.member_leave, name="member_leave"),
    path("members/<int:pk>/promote/", terms.alternate_promote, name="alternate_promote"),
    # work areas and portfolio plans (分工)
    path("portfolio/", portfolios.portfolio, name="portfolio"),
    path("portfolio/areas/", portfolios.work_area_list, name="work_area_list"),
    path("portfolio/areas/new/", portfolios.work_area_create, name="work_area_create"),
    path("portfolio/areas/<int:pk>/edit/", portfolios.work_area_edit, name="work_area_edit"),
    path("portfolio/terms/<int:pk>/", portfolios.plan_list, name="plan_list"),
    path("portfolio/terms/<int:pk>/new/", portfolios.plan_create, name="plan_create"),
    path("portfolio/plans/<int:pk>/", portfolios.plan_detail, name="plan_detail"),
    path("portfolio/plans/<int:pk>/cell/", portfolios.plan_cell, name="plan_cell"),
    path("portfolio/plans/<int:pk>/activate/", portfolios.plan_activate, name="plan_activate"),
    path("portfolio/plans/<int:pk>/discard/", portfolios.plan_discard, name="plan_discard"),
    path("portfolio/plans/<int:pk>/pdf/", portfolios.plan_pdf, name="plan_pdf"),
    # substitutes (缺位互补), leave, who answers for each area on a day, quarterly reports
    path("substitutes/", absences.substitute_list, name="substitute_list"),
    path("members/<int:pk>/substitute/", absences.substitute_edit, name="substitute_edit"),
    path("leaves/", absences.leave_list, name="leave_list"),
    path("leaves/new/", absences.leave_create, name="leave_create"),
    path("leaves/<int:pk>/cancel/", absences.leave_cancel, name="leave_cancel"),
    path("responsibility/", absences.responsibility, name="responsibility"),
    path("reports/", absences.report_list, name="report_list"),
    path("reports/new/", absences.report_record, name="report_record"),
    path("mine/", absences.my_portfolio, name="my_portfolio"),
]
