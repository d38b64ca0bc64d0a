"""Console URLs under /console/."""

from django.urls import path

from courtier.console.views import auth, customer, incoming, search

app_name = "console"

urlpatterns = [
    path("", search.home, name="home"),
    path("sign-in", auth.sign_in, name="sign-in"),
    path("sign-out", auth.sign_out, name="sign-out"),
    path("search", search.search, name="search"),
    path("incoming", incoming.incoming, name="incoming"),
    path("customers/new", incoming.create, name="create"),
    path("customers/<uuid:public_id>", customer.customer_page, name="customer"),
    path(
        "customers/<uuid:public_id>/interactions",
        customer.log_interaction,
        name="log-interaction",
    ),
    path("customers/<uuid:public_id>/facts", customer.record_fact, name="record-fact"),
    path(
        "customers/<uuid:public_id>/facts/<slug:key>/settle",
        customer.settle,
        name="settle",
    ),
]
