"""Console pages for reviewing duplicates: /console/identity/..."""

from django.urls import path

from courtier.identity import views

app_name = "identity"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("proposals/<uuid:proposal_id>/", views.proposal, name="proposal"),
    path("proposals/<uuid:proposal_id>/merge", views.merge, name="merge"),
    path("proposals/<uuid:proposal_id>/reject", views.reject, name="reject"),
    path("merges/<uuid:merge_id>/", views.merge_detail, name="merge-detail"),
    path("merges/<uuid:merge_id>/unmerge", views.unmerge, name="unmerge"),
]
