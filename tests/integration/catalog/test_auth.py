"""POST /api/auth/signup and /api/auth/login on PostgreSQL."""

from __future__ import annotations

import asyncio

from services.catalog.api.errors import EMAIL_TAKEN, SLUG_TAKEN
from shared.security import seller_id_from_token

from .conftest import PUBLIC_URL, SECRET, Catalog

SIGNUP = {"email": "asha@example.com", "password": "password-123", "business_name": "Asha's Kitchen"}


async def test_signup_creates_a_seller_with_the_contract_defaults(catalog: Catalog) -> None:
    response = await catalog.client.post("/api/auth/signup", json={**SIGNUP, "phone": "  +1 555 0101 "})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"seller", "access_token"}
    seller = body["seller"]
    assert seller == {
        "id": seller["id"],
        "email": "asha@example.com",
        "business_name": "Asha's Kitchen",
        "slug": "ashas-kitchen",
        "phone": "+1 555 0101",
        "realtime_enabled": False,
        "accepting_orders": True,
        "payment_methods": ["cod"],
        "zelle_handle": None,
        "currency": "USD",
        "timezone": "UTC",
        "storefront_url": f"{PUBLIC_URL}/s/ashas-kitchen",
    }
    assert isinstance(seller["id"], str) and seller["id"]
    assert seller_id_from_token(SECRET, body["access_token"]) == seller["id"]


async def test_signup_without_a_phone_stores_none(catalog: Catalog) -> None:
    assert (await catalog.signup())["seller"]["phone"] is None


async def test_signup_lowercases_the_email_and_keeps_text_as_typed(catalog: Catalog) -> None:
    seller = (
        await catalog.signup(email="  Mixed.Case@Example.COM ", business_name='  <Tom & Jerry\'s> "Diner" ')
    )["seller"]
    assert seller["email"] == "mixed.case@example.com"
    assert seller["business_name"] == '<Tom & Jerry\'s> "Diner"'
    assert seller["slug"] == "tom-jerrys-diner"


async def test_a_taken_derived_slug_gets_the_next_number(catalog: Catalog) -> None:
    slugs = [(await catalog.signup(business_name="Dosa Corner"))["seller"]["slug"] for _ in range(3)]
    assert slugs == ["dosa-corner", "dosa-corner-2", "dosa-corner-3"]


async def test_a_derived_slug_skips_slugs_chosen_explicitly(catalog: Catalog) -> None:
    await catalog.signup(slug="dosa-corner-2")
    await catalog.signup(business_name="Dosa Corner")
    assert (await catalog.signup(business_name="Dosa Corner"))["seller"]["slug"] == "dosa-corner-3"


async def test_an_explicit_slug_is_used(catalog: Catalog) -> None:
    seller = (await catalog.signup(slug="my-shop-42"))["seller"]
    assert seller["slug"] == "my-shop-42"
    assert seller["storefront_url"] == f"{PUBLIC_URL}/s/my-shop-42"


async def test_an_explicit_slug_that_is_taken_is_409(catalog: Catalog) -> None:
    await catalog.signup(slug="taken-slug")
    response = await catalog.client.post("/api/auth/signup", json={**SIGNUP, "slug": "taken-slug"})
    assert response.status_code == 409
    assert response.json() == {"detail": SLUG_TAKEN}


async def test_a_duplicate_email_is_409_whatever_its_case(catalog: Catalog) -> None:
    await catalog.signup(email="asha@example.com")
    response = await catalog.client.post("/api/auth/signup", json={**SIGNUP, "email": "ASHA@example.com"})
    assert response.status_code == 409
    assert response.json() == {"detail": EMAIL_TAKEN}


async def test_concurrent_signups_with_one_email_create_one_seller(catalog: Catalog) -> None:
    responses = await asyncio.gather(
        *(
            catalog.client.post("/api/auth/signup", json={**SIGNUP, "business_name": f"Kitchen {i}"})
            for i in range(8)
        )
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 7
    assert all(r.json() == {"detail": EMAIL_TAKEN} for r in responses if r.status_code == 409)
    login = await catalog.client.post(
        "/api/auth/login", json={"email": SIGNUP["email"], "password": "password-123"}
    )
    assert login.status_code == 200


async def test_concurrent_signups_with_one_explicit_slug_give_it_to_one(catalog: Catalog) -> None:
    responses = await asyncio.gather(
        *(
            catalog.client.post(
                "/api/auth/signup", json={**SIGNUP, "email": f"racer{i}@example.com", "slug": "contested"}
            )
            for i in range(6)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5


async def test_concurrent_signups_with_one_business_name_get_distinct_slugs(catalog: Catalog) -> None:
    responses = await asyncio.gather(
        *(
            catalog.client.post("/api/auth/signup", json={**SIGNUP, "email": f"twin{i}@example.com"})
            for i in range(6)
        )
    )
    assert [r.status_code for r in responses] == [201] * 6
    slugs = sorted(r.json()["seller"]["slug"] for r in responses)
    assert slugs == sorted(["ashas-kitchen", *(f"ashas-kitchen-{n}" for n in range(2, 7))])


async def test_invalid_signups_are_422(catalog: Catalog) -> None:
    invalid = [
        {**SIGNUP, "password": "short"},
        {**SIGNUP, "email": "not-an-email"},
        {**SIGNUP, "business_name": "   "},
        {**SIGNUP, "business_name": "x" * 101},
        {**SIGNUP, "business_name": "bad\x07name"},
        {**SIGNUP, "slug": "UPPER"},
        {**SIGNUP, "slug": "ab"},
        {**SIGNUP, "slug": "a" * 41},
        {**SIGNUP, "phone": "1" * 31},
        {"email": "asha@example.com", "password": "password-123"},
    ]
    for body in invalid:
        response = await catalog.client.post("/api/auth/signup", json=body)
        assert response.status_code == 422, body
        assert isinstance(response.json()["detail"], list)


async def test_malformed_json_is_422_json_invalid(catalog: Catalog) -> None:
    response = await catalog.client.post(
        "/api/auth/signup", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_login_answers_a_token_for_the_seller(catalog: Catalog) -> None:
    seller = (await catalog.signup(email="login@example.com", password="s3cret-pass"))["seller"]
    response = await catalog.client.post(
        "/api/auth/login", json={"email": " LOGIN@example.com", "password": "s3cret-pass"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert seller_id_from_token(SECRET, body["access_token"]) == seller["id"]


async def test_wrong_password_and_unknown_email_get_the_same_401(catalog: Catalog) -> None:
    await catalog.signup(email="known@example.com", password="s3cret-pass")
    wrong = await catalog.client.post(
        "/api/auth/login", json={"email": "known@example.com", "password": "nope"}
    )
    unknown = await catalog.client.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": "s3cret-pass"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "invalid email or password"}
    assert wrong.headers["content-type"] == unknown.headers["content-type"]


async def test_an_unknown_email_costs_a_hash_verification_too(catalog: Catalog) -> None:
    """Timing: both failures verify an Argon2 hash (a quarter second), not a quick miss."""
    await catalog.signup(email="known@example.com", password="s3cret-pass")
    loop = asyncio.get_running_loop()

    async def duration(email: str) -> float:
        started = loop.time()
        response = await catalog.client.post(
            "/api/auth/login", json={"email": email, "password": "wrong-pass"}
        )
        assert response.status_code == 401
        return loop.time() - started

    await duration("warm-up@example.com")  # the dummy hash is made on first use
    known = min([await duration("known@example.com") for _ in range(3)])
    unknown = min([await duration("nobody@example.com") for _ in range(3)])
    # Generous bounds: the machine may be busy; a quick miss would be about 100 times faster.
    assert known * 0.3 < unknown < known * 3


async def test_invalid_logins_are_422(catalog: Catalog) -> None:
    for body in ({"email": "a@b.co"}, {"password": "x"}, {"email": "a" * 255, "password": "x"}):
        assert (await catalog.client.post("/api/auth/login", json=body)).status_code == 422
