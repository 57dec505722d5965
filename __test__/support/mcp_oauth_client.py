"""A real Python MCP client (PyPI `mcp`) that logs in with OAuth and calls a tool.

    python mcp_oauth_client.py <mcp-url> [--tool whoami ...] [--call-again-after-expiry]

The SDK's `OAuthClientProvider` gets nothing but the MCP URL: on the first 401 it discovers the protected
resource metadata (from the `WWW-Authenticate` header), the authorization server metadata, registers a
client, runs the PKCE authorization and the token request, then retries. The "browser" is a GET of the
authorization URL without following redirects: the local AuthKit emulator logs the user in at once and
answers 302 to the redirect URL with `?code=` (the redirect URL itself is never contacted).

With --call-again-after-expiry the script waits until the access token's `expires_in` has passed and
calls the tool again: the SDK refreshes the token on its own before that request. `--tool` may be
given several times; the tools are called in that order. A tool that answers with an error is reported
as a `call` with `is_error: true` (the run goes on).

Prints one JSON object per line on stdout: `http` (every HTTP exchange the client made, with the
discovery documents), `registered`, `tokens`, `call` (the tool's text) and finally `done`; on failure
`error` and exit status 1. Test support for __test__/clients.test.js: 127.0.0.1 only, every wait bounded.
"""

import argparse
import asyncio
import json
import sys
import time
import traceback
from urllib.parse import parse_qs, urlparse

import httpx2
from mcp.client import Client
from mcp.client.auth import OAuthClientProvider, TokenStorage
from mcp.client.auth.utils import extract_resource_metadata_from_www_auth
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

REDIRECT_URL = "http://127.0.0.1:9/callback"
OVERALL_TIMEOUT_S = 90


def emit(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


class MemoryStorage(TokenStorage):
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None
        self.tokens_saved_at = 0.0

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens
        self.tokens_saved_at = time.time()
        emit("tokens", expires_in=tokens.expires_in, refresh_token=bool(tokens.refresh_token))

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info
        emit("registered", client_id=client_info.client_id)


class Browser:
    """The user agent of the authorization step."""

    def __init__(self) -> None:
        self.result: AuthorizationCodeResult | None = None

    async def open(self, authorization_url: str) -> None:
        async with httpx2.AsyncClient(follow_redirects=False, timeout=10) as http:
            response = await http.get(authorization_url)
        location = response.headers.get("location")
        if not 300 <= response.status_code < 400 or not location:
            raise RuntimeError(f"authorize: expected a redirect, got {response.status_code}: {response.text[:300]}")
        if not location.startswith(REDIRECT_URL):
            raise RuntimeError(f"authorize: redirected to an unexpected URL: {location}")
        query = parse_qs(urlparse(location).query)
        if "error" in query:
            raise RuntimeError(f"authorize: {query['error'][0]} {query.get('error_description', [''])[0]}")
        self.result = AuthorizationCodeResult(
            code=query["code"][0],
            state=query.get("state", [None])[0],
            iss=query.get("iss", [None])[0],
        )
        emit("authorized", url=authorization_url.split("?")[0])

    async def callback(self) -> AuthorizationCodeResult:
        if self.result is None:
            raise RuntimeError("no authorization code")
        return self.result


async def log_response(response: httpx2.Response) -> None:
    request = response.request
    entry = {
        "method": request.method,
        "url": str(request.url),
        "status": response.status_code,
        "authorization": "Bearer" if request.headers.get("authorization", "").startswith("Bearer ") else None,
        "www_authenticate": response.headers.get("www-authenticate"),
    }
    if response.status_code == 401:
        # What the SDK's own parser (the one its OAuth flow calls) reads from the header.
        entry["header_resource_metadata"] = extract_resource_metadata_from_www_auth(response)
    if "/.well-known/" in request.url.path and response.status_code == 200:
        await response.aread()
        try:
            entry["body"] = response.json()
        except ValueError:
            entry["body"] = None
    if request.url.path.endswith("/token"):
        form = parse_qs(request.content.decode() if request.content else "")
        entry["grant_type"] = form.get("grant_type", [None])[0]
    emit("http", **entry)


def tool_text(result: object) -> str:
    return "".join(c.text for c in result.content if getattr(c, "type", None) == "text")


def emit_call(tool: str, result: object) -> None:
    is_error = bool(getattr(result, "is_error", False) or getattr(result, "isError", False))
    emit("call", tool=tool, text=tool_text(result), is_error=is_error)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mcp_url")
    parser.add_argument("--tool", action="append")
    parser.add_argument("--call-again-after-expiry", action="store_true")
    args = parser.parse_args()

    storage = MemoryStorage()
    browser = Browser()
    provider = OAuthClientProvider(
        server_url=args.mcp_url,
        client_metadata=OAuthClientMetadata(
            client_name="xmcp-workos-python-test",
            redirect_uris=[REDIRECT_URL],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=browser.open,
        callback_handler=browser.callback,
    )
    http = httpx2.AsyncClient(
        auth=provider,
        timeout=httpx2.Timeout(30.0, read=60.0),
        event_hooks={"response": [log_response]},
    )
    async with http, Client(streamable_http_client(args.mcp_url, http_client=http)) as client:
        emit("connected", protocol_version=client.protocol_version)
        tools = args.tool or ["whoami"]
        for tool in tools:
            emit_call(tool, await client.call_tool(tool, {}))
        if args.call_again_after_expiry:
            expires_in = storage.tokens.expires_in if storage.tokens else None
            if expires_in is None or expires_in > 30:
                raise RuntimeError(f"the access token does not expire soon (expires_in {expires_in})")
            wait = storage.tokens_saved_at + expires_in + 0.5 - time.time()
            emit("waiting", seconds=round(max(wait, 0), 2))
            if wait > 0:
                await asyncio.sleep(wait)
            emit_call(tools[0], await client.call_tool(tools[0], {}))
    emit("done")


if __name__ == "__main__":
    try:
        asyncio.run(asyncio.wait_for(main(), OVERALL_TIMEOUT_S))
    except BaseException as err:  # noqa: BLE001 - report everything, including timeouts, as one line
        emit("error", message=f"{type(err).__name__}: {err}", traceback=traceback.format_exc())
        sys.exit(1)
