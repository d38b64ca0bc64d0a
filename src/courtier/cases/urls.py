"""Console URLs for requests, mounted under /console/cases/."""

from django.urls import path

from courtier.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.my_requests, name="mine"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("customers/<uuid:customer_id>/", views.customer_card, name="card"),
]
