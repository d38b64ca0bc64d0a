"""The portal's pages under /portal/. Ids in paths are public UUIDs, read as text so a
malformed one is refused by the scope (404) like any other id that is not yours."""

from django.urls import path

from courtier.portal import views, views_signin

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal.css", views.stylesheet, name="css"),
    path("sign-in/", views_signin.sign_in, name="sign_in"),
    path("sign-in/code/", views_signin.sign_in_code, name="sign_in_code"),
    path("sign-in/link/", views_signin.link_continue, name="link_continue"),
    path("sign-in/link/<str:token>", views_signin.link_page, name="link_page"),
    path("sign-out/", views_signin.sign_out, name="sign_out"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("language/", views_signin.language, name="language"),
    path("about-me/", views.about_me, name="about_me"),
    path("about-me/<str:fact_id>/confirm/", views.confirm_fact, name="confirm_fact"),
    path("about-me/<str:fact_id>/wrong/", views.wrong_fact, name="wrong_fact"),
    path("preferences/", views.preferences, name="preferences"),
    path("requests/", views.requests_list, name="requests"),
    path("requests/new/", views.new_request, name="new_request"),
    path("requests/<str:case_id>/", views.request_detail, name="request"),
    path("agreements/", views.agreements, name="agreements"),
    path("messages/", views.messages, name="messages"),
    path("who-looked/", views.accesses, name="accesses"),
    path("download/", views.download, name="download"),
]
