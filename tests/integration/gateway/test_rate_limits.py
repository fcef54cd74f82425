"""Rate limits at the gateway (RATE_LIMITS=on): 429 with Retry-After, per account and per IP."""

from __future__ import annotations

from tests.conftest import Backing
from tests.integration.gateway.conftest import PASSWORD, System, order_body, running_system


async def test_ten_failed_logins_lock_the_account_for_a_while(system: System) -> None:
    email = system.new_email()
    await system.signup(email=email)
    for _ in range(10):
        failed = await system.client.post(
            "/api/auth/login", json={"email": email, "password": "wrong-password"}
        )
        assert failed.status_code == 401
    locked = await system.client.post("/api/auth/login", json={"email": email.upper(), "password": PASSWORD})
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "detail" in locked.json()
    other = system.new_email()
    await system.signup(email=other)
    assert (
        await system.client.post("/api/auth/login", json={"email": other, "password": PASSWORD})
    ).status_code == 200


async def test_per_ip_limits_on_login_signup_and_checkout(backing: Backing) -> None:
    limits = {"login_attempts_per_ip": 3, "signup_per_ip": 2, "checkout_per_ip": 2}
    async with running_system(backing, **limits) as system:
        seller, _, product = await system.realtime_seller_with_product()  # signup 1 of 2
        await system.signup()  # signup 2 of 2
        refused = await system.client.post(
            "/api/auth/signup",
            json={"email": system.new_email(), "password": PASSWORD, "business_name": "Late"},
        )
        assert refused.status_code == 429
        assert 3500 < int(refused.headers["retry-after"]) <= 3600

        login = {"email": seller["email"], "password": PASSWORD}
        assert [(await system.client.post("/api/auth/login", json=login)).status_code for _ in range(3)] == [
            200
        ] * 3
        too_many = await system.client.post("/api/auth/login", json=login)
        assert too_many.status_code == 429
        assert 0 < int(too_many.headers["retry-after"]) <= 60

        path = f"/api/storefronts/{seller['slug']}/orders"
        statuses = [
            (await system.client.post(path, json=order_body(product["id"]))).status_code for _ in range(3)
        ]
        assert statuses == [201, 201, 429]


async def test_no_limits_when_they_are_off(backing: Backing) -> None:
    async with running_system(backing, rate_limits="off", login_attempts_per_ip=1) as system:
        email = system.new_email()
        await system.signup(email=email)
        statuses = {
            (
                await system.client.post(
                    "/api/auth/login", json={"email": email, "password": "wrong-password"}
                )
            ).status_code
            for _ in range(12)
        }
        assert statuses == {401}
