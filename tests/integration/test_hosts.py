"""DNS rebinding: only known Host names are answered, and local mode on a network address needs
the token that ``midback serve`` prints (issue 15, item 1)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from midback.cli.app import app as cli
from midback.settings import ENV_VARS, Settings
from midback.web.app import create_app

SECRET = "x7Gk2pQ9vLm4Rt8Wz1Nc6Hb3Yd5Fs0Ja9Ue2Io7Pq"
FOREIGN = "rebind.attacker.example:8000"


def _app(tmp_path: Path, **changes: Any) -> TestClient:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/midback.db", **changes)
    return TestClient(create_app(settings), base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize("mode", ["local", "server"])
def test_a_foreign_host_header_is_refused_before_routing(tmp_path: Path, mode: str) -> None:
    client = _app(tmp_path, mode=mode, secret_key=SECRET)
    for method, path in (("GET", "/api/v1/export"), ("GET", "/"), ("POST", "/api/v1/checkins")):
        response = client.request(
            method, path, json={"pain": 3},
            headers={"Host": FOREIGN, "Origin": f"http://{FOREIGN}"},
        )  # fmt: skip
        assert response.status_code == 400, (method, path)
        assert "pain" not in response.text and "sessions" not in response.text


def test_loopback_names_and_the_served_address_are_answered(tmp_path: Path) -> None:
    client = _app(tmp_path)
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"):
        assert client.get("/api/v1/export", headers={"Host": host}).status_code == 200, host
    on_lan = TestClient(client.app, base_url="http://192.168.1.5:8000")  # the address served on
    assert on_lan.get("/api/v1/export").status_code == 200


def test_the_hosts_own_names_are_answered(tmp_path: Path) -> None:
    client = _app(tmp_path, allowed_hosts=("clinic.example.org", "*.midback.example"))
    for host in ("clinic.example.org", "eu.midback.example"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
    assert client.get("/healthz", headers={"Host": "midback.example.evil"}).status_code == 400


def test_allowed_hosts_come_from_the_environment() -> None:
    settings = Settings.from_env({"MIDBACK_ALLOWED_HOSTS": "Clinic.example.org, *.ex.org"})
    assert settings.allowed_hosts == ("clinic.example.org", "*.ex.org")


def test_local_mode_with_a_token_answers_401_until_the_token_is_shown(tmp_path: Path) -> None:
    client = _app(tmp_path, access_token="t0ken-for-the-phone")
    assert client.get("/api/v1/export").status_code == 401
    assert client.get("/history").status_code == 401
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/?token=not-the-token").status_code == 401
    entered = client.get("/history?token=t0ken-for-the-phone&x=1", follow_redirects=False)
    assert entered.status_code == 303
    assert entered.headers["location"] == "/history?x=1"
    assert "HttpOnly" in entered.headers["set-cookie"]
    assert client.get("/api/v1/export").status_code == 200
    forged = _app(tmp_path, access_token="t0ken-for-the-phone")
    forged.cookies.set("midback_access", "granted.forged")
    assert forged.get("/api/v1/export").status_code == 401


def test_the_token_works_once_for_every_process(tmp_path: Path) -> None:
    phone = _app(tmp_path, access_token="t0ken-for-the-phone")
    assert phone.get("/?token=t0ken-for-the-phone", follow_redirects=False).status_code == 303
    later = _app(tmp_path, access_token="t0ken-for-the-phone")  # another worker, same folder
    again = later.get("/?token=t0ken-for-the-phone", follow_redirects=False)
    assert again.status_code == 401 and "used already" in again.text
    assert phone.get("/api/v1/export").status_code == 200  # the cookie goes on working


def test_the_token_never_redirects_to_another_site(tmp_path: Path) -> None:
    client = _app(tmp_path, access_token="t0ken-for-the-phone")
    entered = client.get("/%2Fevil.example/?token=t0ken-for-the-phone", follow_redirects=False)
    assert entered.headers["location"] == "/evil.example/"


def test_this_machine_itself_needs_no_token(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path}/midback.db",
                        access_token="t0ken-for-the-phone")  # fmt: skip
    here = TestClient(create_app(settings), base_url="http://127.0.0.1:8000",
                      client=("127.0.0.1", 50000))  # fmt: skip
    assert here.get("/api/v1/export").status_code == 200


def test_serve_on_a_network_address_in_local_mode_prints_a_token_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    ran: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: ran.update(kwargs))
    for name in {*ENV_VARS.values(), *(n for n in os.environ if n.startswith("MIDBACK_"))}:
        monkeypatch.delenv(name, raising=False)  # and restored after: serve sets some
    monkeypatch.setenv("MIDBACK_HOME", str(tmp_path))
    result = CliRunner().invoke(
        cli, ["serve", "--host", "0.0.0.0", "--allowed-host", "box.lan",
              "--forwarded-allow-ips", "10.0.0.2"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    token = os.environ["MIDBACK_ACCESS_TOKEN"]
    assert f"?token={token}" in result.output
    assert "anyone with this URL" in result.output
    assert os.environ["MIDBACK_ALLOWED_HOSTS"] == "box.lan"
    assert ran["forwarded_allow_ips"] == "10.0.0.2" and ran["proxy_headers"] is True
    monkeypatch.delenv("MIDBACK_ACCESS_TOKEN")
    local = CliRunner().invoke(cli, ["serve"])
    assert local.exit_code == 0, local.output
    assert "token" not in local.output and "MIDBACK_ACCESS_TOKEN" not in os.environ
    assert ran["proxy_headers"] is False
