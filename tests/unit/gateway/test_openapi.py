from __future__ import annotations

import re
from pathlib import Path

from services.gateway.config import Settings
from services.gateway.main import create_app

CONTRACT = Path(__file__).resolve().parents[4] / "shared" / "contract" / "public-api.md"
# Every HTTP endpoint of the contract, as it names them.
CONTRACT_ENDPOINTS = {
    ("post", "/api/auth/signup"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/logout"),
    ("get", "/api/seller"),
    ("patch", "/api/seller"),
    ("post", "/api/seller/products"),
    ("get", "/api/seller/products"),
    ("get", "/api/seller/products/{id}"),
    ("patch", "/api/seller/products/{id}"),
    ("delete", "/api/seller/products/{id}"),
    ("get", "/api/storefronts/{slug}"),
    ("get", "/api/storefronts/{slug}/qr.svg"),
    ("get", "/api/storefronts/{slug}/qr.png"),
    ("post", "/api/storefronts/{slug}/orders"),
    ("get", "/api/orders/{order_id}"),
    ("get", "/api/seller/orders"),
    ("get", "/api/seller/orders/{id}"),
    ("post", "/api/seller/orders/{id}/status"),
    ("post", "/api/seller/orders/{id}/payment"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
}


def schema() -> dict[str, object]:
    return create_app(Settings()).openapi()


def test_every_contract_endpoint_is_documented() -> None:
    paths = schema()["paths"]
    assert isinstance(paths, dict)
    documented = {(method, path) for path, operations in paths.items() for method in operations}
    assert documented >= CONTRACT_ENDPOINTS


def test_the_contract_file_names_no_endpoint_missing_here() -> None:
    if not CONTRACT.exists():
        return  # the contract lives beside the repository, not in it
    named = set(re.findall(r"`(GET|POST|PATCH|DELETE) (/[^` ?]+)", CONTRACT.read_text()))
    documented = {(method.lower(), re.sub(r"\{[^}]+\}", "{}", path)) for method, path in CONTRACT_ENDPOINTS}
    for method, path in named - {("GET", "/docs"), ("GET", "/openapi.json")}:
        assert (method.lower(), re.sub(r"\{[^}]+\}", "{}", path)) in documented, (method, path)


def test_request_and_response_models_are_described() -> None:
    paths = schema()["paths"]
    assert isinstance(paths, dict)
    signup = paths["/api/auth/signup"]["post"]
    assert signup["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SignupIn")
    assert signup["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/SignupOut")
    checkout = paths["/api/storefronts/{slug}/orders"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in checkout["parameters"])
    assert checkout["responses"]["429"]["headers"]["Retry-After"]
    status = paths["/api/seller/orders/{id}/status"]["post"]
    assert status["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ConflictOut"
    )
    assert {"HTTPBearer": []} in status["security"]
    assert {"APIKeyCookie": []} in status["security"]


def test_no_internal_paths() -> None:
    paths = schema()["paths"]
    assert isinstance(paths, dict)
    assert not [path for path in paths if path.startswith("/internal")]


def test_every_path_parameter_is_declared() -> None:
    paths = schema()["paths"]
    assert isinstance(paths, dict)
    for path, operations in paths.items():
        names = set(re.findall(r"\{([^}]+)\}", path))
        for operation in operations.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, declared)
