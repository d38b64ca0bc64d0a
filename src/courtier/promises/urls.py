"""Console URLs for promises, mounted under /console/promises/."""

from django.urls import path

from courtier.promises import views

app_name = "promises"
urlpatterns = [path("", views.promises_due, name="due")]
