from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def switch_unit(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def audit_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
