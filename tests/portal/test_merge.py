"""A merge signs the merged record out of the portal; an unmerge does not sign it back in.

Jean is signed in on his phone and has a code on its way when staff merge his record into
Marie's. His browser must not wake up reading Marie's data, nor his own emptied record.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from courtier.core.actor import Actor
from courtier.identity.models import Merge
from courtier.identity.services import merge, unmerge
from courtier.portal.models import PortalSession, SignInToken

from .conftest import World, last_code, signed_in_client

PAGES = ("/portal/", "/portal/requests/", "/portal/about-me/", "/portal/agreements/")


def _signed_out(client: Client) -> None:
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/portal/sign-in/"), path
        assert b"Tremblay" not in response.content


def test_a_merge_signs_the_merged_record_out_and_shows_none_of_the_survivors_data(
    world: World, system: Actor
):
    jean = signed_in_client(world.jean)
    marie = signed_in_client(world.marie)
    assert jean.get("/portal/").status_code == 200
    jean.post("/portal/sign-in/", {"identifier": "438 555 0142"})
    code = last_code(world.jean)

    record = merge(system, world.marie, world.jean)

    _signed_out(jean)
    case_page = jean.get(f"/portal/requests/{world.marie_case.public_id}/")
    assert case_page.status_code == 302
    late = Client().post("/portal/sign-in/code/", {"identifier": "+14385550142", "code": code})
    assert late.status_code == 400
    assert not PortalSession.objects.filter(customer=world.jean).exists()
    assert record.moved["ended"]["portal"] == {
        "sessions signed out": 1,
        "sign-in tokens revoked": 1,
    }
    # The survivor's own browser is untouched and now sees Jean's request too.
    assert marie.get("/portal/").status_code == 200
    assert str(world.jean_case.public_id) in marie.get("/portal/requests/").content.decode()


def test_an_unmerge_does_not_sign_the_merged_record_back_in(world: World, system: Actor):
    jean = signed_in_client(world.jean)
    Client().post("/portal/sign-in/", {"identifier": "438 555 0142"})
    code = last_code(world.jean)
    record = merge(system, world.marie, world.jean)
    unmerge(system, record)

    _signed_out(jean)
    late = Client().post("/portal/sign-in/code/", {"identifier": "+14385550142", "code": code})
    assert late.status_code == 400
    assert SignInToken.objects.get(customer=world.jean).revoked_at is not None
    # Signing in again works as for anyone: a new code, a new session, his own data.
    again = Client()
    again.post("/portal/sign-in/", {"identifier": "438 555 0142"})
    done = again.post(
        "/portal/sign-in/code/", {"identifier": "+14385550142", "code": last_code(world.jean)}
    )
    assert done.status_code == 302
    assert again.get("/portal/").status_code == 200
    assert b"Tremblay" not in again.get("/portal/about-me/").content


def test_the_merge_page_says_what_the_merge_ended(world: World, system: Actor, bob: User):
    signed_in_client(world.jean)
    signed_in_client(world.jean)
    record = merge(system, world.marie, world.jean)
    staff = Client()
    staff.force_login(bob)
    page = staff.get(f"/console/identity/merges/{record.public_id}/").content.decode()
    assert "2 sessions signed out" in page
    assert "0 sign-in tokens revoked" in page
    assert Merge.objects.get().moved["ended"]["portal"]["sessions signed out"] == 2
