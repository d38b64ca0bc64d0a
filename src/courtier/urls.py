"""The site's URL map: the API under /api/v1, the admin, and a root that says where to go."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from courtier.api import api


def home(request: HttpRequest) -> HttpResponse:
    """Say what this server is and where its parts live."""
    return HttpResponse(
        "<!doctype html><title>Courtier</title><h1>Courtier</h1>"
        '<ul><li><a href="/console/">Staff console</a></li>'
        '<li><a href="/portal/">Customer portal</a></li>'
        '<li><a href="/api/v1/docs">API documentation</a></li>'
        '<li><a href="/admin/">Administration</a></li></ul>'
    )


urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("console/cases/", include("courtier.cases.urls")),
    path("console/promises/", include("courtier.promises.urls")),
    path("console/rules/", include("courtier.journeys.urls")),
    path("", include("courtier.messaging.urls")),
    path("console/", include("courtier.console.urls")),
    path("console/identity/", include("courtier.identity.urls")),
    path("portal/", include("courtier.portal.urls")),
]
