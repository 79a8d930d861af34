"""Meetings URLs (namespace `meetings`)."""

from django.urls import path

from .views import documents, followups, index, meetings, portal, rules, topics

app_name = "meetings"

urlpatterns = [
    path("", index.index, name="index"),
    # rules of procedure (系统管理员 keeps them) and cadence compliance
    path("rules/", rules.rule_list, name="rule_list"),
    path("rules/types/<int:pk>/edit/", rules.meeting_type_edit, name="meeting_type_edit"),
    path("rules/categories/new/", rules.category_create, name="category_create"),
    path("rules/categories/<int:pk>/edit/", rules.category_edit, name="category_edit"),
    path("cadence/", rules.cadence, name="cadence"),
    # topics (议题), their materials and consultations
    path("topics/", topics.topic_list, name="topic_list"),
    path("topics/new/", topics.topic_create, name="topic_create"),
    path("topics/from-round/<int:round_pk>/", topics.round_topic_new, name="round_topic_new"),
    path("topics/<int:pk>/", topics.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/edit/", topics.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/transition/", topics.topic_transition, name="topic_transition"),
    path("topics/<int:pk>/cadres/", topics.topic_cadre_add, name="topic_cadre_add"),
    path("topic-cadres/<int:pk>/remove/", topics.topic_cadre_remove, name="topic_cadre_remove"),
    path("topics/<int:pk>/materials/", topics.material_upload, name="material_upload"),
    path("materials/<int:pk>/remove/", topics.material_remove, name="material_remove"),
    path("materials/<int:pk>/download/", topics.material_download, name="material_download"),
    path("topics/<int:pk>/consultations/new/", topics.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", topics.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/opinion/", topics.opinion_submit, name="opinion_submit"),
    path("consultations/<int:pk>/close/", topics.consultation_close, name="consultation_close"),
    # meetings, agendas, attendance, recusal and votes
    path("list/", meetings.meeting_list, name="meeting_list"),
    path("new/", meetings.meeting_create, name="meeting_create"),
    path("<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("<int:pk>/agenda/add/", meetings.agenda_add, name="agenda_add"),
    path("items/<int:pk>/remove/", meetings.agenda_remove, name="agenda_remove"),
    path("items/<int:pk>/move/", meetings.agenda_move, name="agenda_move"),
    path("<int:pk>/attendance/", meetings.attendance, name="attendance"),
    path("<int:pk>/quorum/", meetings.quorum_panel, name="quorum_panel"),
    path("<int:pk>/leave/", meetings.leave_request, name="leave_request"),
    path("<int:pk>/open/", meetings.meeting_open, name="meeting_open"),
    path("<int:pk>/adjourn/", meetings.meeting_adjourn, name="meeting_adjourn"),
    path("<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/documents/<str:kind>/", documents.meeting_document, name="meeting_document"),
    path("items/<int:pk>/", meetings.item_detail, name="item_detail"),
    path("items/<int:pk>/open/", meetings.voting_open, name="voting_open"),
    path("items/<int:pk>/votes/", meetings.vote_record, name="vote_record"),
    path("items/<int:pk>/tally/", meetings.tally_enter, name="tally_enter"),
    path("items/<int:pk>/close/", meetings.voting_close, name="voting_close"),
    path("items/<int:pk>/defer/", meetings.item_defer, name="item_defer"),
    path("items/<int:pk>/discuss/", meetings.item_discuss, name="item_discuss"),
    path("items/<int:pk>/recusals/", meetings.recusal_add, name="recusal_add"),
    path("relations/", meetings.relation_list, name="relation_list"),
    path("relations/new/", meetings.relation_create, name="relation_create"),
    path("relations/refresh/", meetings.relations_refresh, name="relations_refresh"),
    path("relations/<int:pk>/end/", meetings.relation_end, name="relation_end"),
    # the standing members' portal
    path("portal/", portal.portal, name="portal"),
    # decisions and follow-up (督办)
    path("decisions/", followups.decision_list, name="decision_list"),
    path("decisions/<int:pk>/", followups.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/reconsider/", followups.decision_reconsider, name="decision_reconsider"),
    path("followups/", followups.follow_up_list, name="follow_up_list"),
    path("followups/report/", followups.follow_up_report, name="follow_up_report"),
    path("followups/<int:pk>/", followups.follow_up_detail, name="follow_up_detail"),
    path("followups/<int:pk>/note/", followups.follow_up_note, name="follow_up_note"),
    path("followups/<int:pk>/close/", followups.follow_up_close, name="follow_up_close"),
]
