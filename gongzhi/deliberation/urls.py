from django.urls import path

from gongzhi.deliberation.views import bodies, exports, meetings, outcomes, participation, topics

app_name = "deliberation"

urlpatterns = [
    # Topics (public list and pages; proposing, co-signing, screening).
    path("", topics.topic_list, name="topics"),
    path("topics/new/", topics.topic_propose, name="topic_propose"),
    path("topics/new/on-behalf/", topics.topic_on_behalf, name="topic_on_behalf"),
    path("topics/manage/", topics.topic_manage, name="topic_manage"),
    path("topics/export.xlsx", exports.topic_export, name="topic_export"),
    path("topics/<int:topic_id>/", topics.topic_detail, name="topic"),
    path("topics/<int:topic_id>/cosign/", topics.topic_cosign, name="topic_cosign"),
    path("topics/<int:topic_id>/screen/", topics.topic_screen, name="topic_screen"),
    path("topics/<int:topic_id>/party-screen/", topics.topic_party_screen, name="topic_party_screen"),
    # Bodies and members.
    path("bodies/", bodies.body_list, name="bodies"),
    path("bodies/new/", bodies.body_create, name="body_create"),
    path("bodies/<int:body_id>/", bodies.body_detail, name="body"),
    path("bodies/<int:body_id>/edit/", bodies.body_edit, name="body_edit"),
    path("bodies/<int:body_id>/members/", bodies.member_add, name="member_add"),
    path("bodies/<int:body_id>/queue/", bodies.screening_queue, name="queue"),
    path("bodies/<int:body_id>/demands/", bodies.demand_open, name="demand_open"),
    path("members/<int:member_id>/end/", bodies.member_end, name="member_end"),
    path("demands/<int:demand_id>/sign/", bodies.demand_sign, name="demand_sign"),
    # Meetings.
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/export.xlsx", exports.meeting_export, name="meeting_export"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/quorum/", meetings.meeting_quorum, name="meeting_quorum"),
    path("meetings/<int:meeting_id>/meeting.ics", exports.meeting_ics, name="meeting_ics"),
    path("meetings/<int:meeting_id>/notice.pdf", exports.meeting_notice_pdf, name="meeting_notice_pdf"),
    path("meetings/<int:meeting_id>/minutes.pdf", exports.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path("meetings/<int:meeting_id>/<slug:verb>/", meetings.meeting_action, name="meeting_action"),
    path("items/<int:item_id>/<slug:verb>/", meetings.item_action, name="item_action"),
    # Resolutions and commitments.
    path("resolutions/", outcomes.resolution_list, name="resolutions"),
    path("resolutions/<int:resolution_id>/", outcomes.resolution_detail, name="resolution"),
    path("resolutions/<int:resolution_id>/resolution.pdf", exports.resolution_pdf, name="resolution_pdf"),
    path("resolutions/<int:resolution_id>/<slug:verb>/", outcomes.resolution_action, name="resolution_action"),
    path("commitments/", outcomes.my_commitments, name="commitments"),
    path("commitments/export.xlsx", exports.commitment_export, name="commitment_export"),
    path("commitments/<int:commitment_id>/<slug:verb>/", outcomes.commitment_action, name="commitment_action"),
    path("objections/<int:objection_id>/answer/", outcomes.objection_answer, name="objection_answer"),
    path("evidence/<int:update_id>/", outcomes.evidence, name="evidence"),
    path("supervision/", outcomes.supervision, name="supervision"),
    # Consultations, inquiries, contests.
    path("consultations/", participation.consultation_list, name="consultations"),
    path("consultations/new/", participation.consultation_create, name="consultation_create"),
    path("consultations/<int:consultation_id>/", participation.consultation_detail, name="consultation"),
    path(
        "consultations/<int:consultation_id>/<slug:verb>/",
        participation.consultation_action,
        name="consultation_action",
    ),
    path("comments/<int:comment_id>/<slug:verb>/", participation.comment_action, name="comment_action"),
    path("inquiries/", participation.inquiry_list, name="inquiries"),
    path("inquiries/new/", participation.inquiry_create, name="inquiry_create"),
    path("inquiries/<int:inquiry_id>/", participation.inquiry_detail, name="inquiry"),
    path("inquiries/<int:inquiry_id>/<slug:verb>/", participation.inquiry_action, name="inquiry_action"),
    path("contests/", participation.contest_list, name="contests"),
    path("contests/new/", participation.contest_create, name="contest_create"),
    path("contests/<int:contest_id>/", participation.contest_detail, name="contest"),
    path("contests/<int:contest_id>/<slug:verb>/", participation.contest_action, name="contest_action"),
]
