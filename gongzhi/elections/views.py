from django.http import HttpResponse


def detail(request, election_id):
    return HttpResponse("")


def public_detail(request, election_id):
    return HttpResponse("")
