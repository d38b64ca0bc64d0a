"""Console URLs for rules, mounted under /console/rules/."""

from django.urls import path

from courtier.journeys import views

app_name = "journeys"
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("new", views.edit, name="new"),
    path("<uuid:public_id>", views.detail, name="detail"),
    path("<uuid:public_id>/edit", views.edit, name="edit"),
    path("<uuid:public_id>/enable", views.switch, {"on": True}, name="enable"),
    path("<uuid:public_id>/disable", views.switch, {"on": False}, name="disable"),
]
