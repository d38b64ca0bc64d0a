"""Messaging pages: under /console/messaging/ for staff, /messaging/ for customers."""

from django.urls import path

from courtier.messaging import views

app_name = "messaging"
urlpatterns = [
    path("console/messaging/templates/", views.template_editor, name="templates"),
    path("console/messaging/templates/<uuid:template_id>/", views.template_editor, name="template"),
    path("console/messaging/messages/", views.message_log, name="log"),
    path(
        "console/customers/<uuid:customer_id>/preferences/",
        views.customer_preferences,
        name="preferences",
    ),
    path("messaging/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
