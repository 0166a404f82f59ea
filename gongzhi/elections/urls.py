from django.urls import path

from gongzhi.elections import views

app_name = "elections"

urlpatterns = [
    path("", views.election_list, name="list"),
    path("new/", views.create, name="create"),
    path("results/", views.public_list, name="public_list"),
    path("results/<int:election_id>/", views.public_detail, name="public_detail"),
    path("<int:election_id>/", views.detail, name="detail"),
    path("<int:election_id>/edit/", views.edit, name="edit"),
    path("<int:election_id>/open/", views.open_nominations, name="open"),
    path("<int:election_id>/voting/open/", views.open_voting, name="voting_open"),
    path("<int:election_id>/voting/close/", views.close_voting, name="voting_close"),
    path("<int:election_id>/tally/", views.tally, name="tally"),
    path("<int:election_id>/publish/", views.publish, name="publish"),
    path("<int:election_id>/cancel/", views.cancel, name="cancel"),
    path("<int:election_id>/runoff/", views.runoff, name="runoff"),
    path("<int:election_id>/results/", views.results, name="results"),
    path("<int:election_id>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<int:election_id>/calendar.ics", views.calendar, name="calendar"),
    path("<int:election_id>/vote/", views.vote, name="vote"),
    path("<int:election_id>/nominate/", views.nominate, name="nominate"),
    path("<int:election_id>/nominations/", views.nominations, name="nominations"),
    path("nominations/<int:nomination_id>/support/", views.support, name="support"),
    path("nominations/<int:nomination_id>/accept/", views.accept, name="accept"),
    path("nominations/<int:nomination_id>/decline/", views.decline, name="decline"),
    path("nominations/<int:nomination_id>/reject/", views.reject, name="reject"),
    path("<int:election_id>/roll/", views.roll, name="roll"),
    path("<int:election_id>/roll.xlsx", views.roll_xlsx, name="roll_xlsx"),
    path("<int:election_id>/proxies/", views.proxies, name="proxies"),
    path("<int:election_id>/paper/", views.paper, name="paper"),
]
