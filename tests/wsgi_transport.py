"""``requests`` without a socket: a transport adapter that hands each request to a WSGI app in-process.

Tests of the protocol and the API written against ``requests`` run unchanged against the Flask app
(``app.test_client()``): the request is prepared by ``requests`` exactly as it would be sent (URL
encoding, form bodies, default headers), and the answer comes back as a real ``requests.Response``
(``.text`` decoded as ``requests`` decodes it, ``.json()``, case-insensitive ``.headers``).

>>> import flask
>>> app = flask.Flask("demo")
>>> _ = app.get("/hello")(lambda: ({"who": flask.request.args["who"]}, 201))
>>> session = requests.Session()
>>> session.mount("http://demo.test/", WSGIAdapter(app))
>>> response = session.get("http://demo.test/hello", params={"who": "世界"})
>>> response.status_code, response.headers["Content-Type"], response.json()
(201, 'application/json', {'who': '世界'})
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers


class WSGIAdapter(BaseAdapter):
    """Send ``requests``' prepared requests to a Flask app through its test client."""

    def __init__(self, app) -> None:
        super().__init__()
        self.client = app.test_client()

    def send(self, request: requests.PreparedRequest, stream=False, timeout=None, verify=True, cert=None,
             proxies=None) -> requests.Response:
        parts = urlsplit(request.url)
        body = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        # the test client computes Content-Length itself from the body it is given
        headers = [(k, v) for k, v in request.headers.items() if k.lower() != "content-length"]
        answer = self.client.open(
            parts.path + ("?" + parts.query if parts.query else ""), method=request.method,
            base_url=f"{parts.scheme}://{parts.netloc}", headers=headers, data=body,
        )
        try:
            content = answer.get_data()
        finally:
            answer.close()
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.status.partition(" ")[2]
        response.headers = CaseInsensitiveDict()
        for name in dict.fromkeys(answer.headers.keys()):  # repeated headers joined, as urllib3 does
            response.headers[name] = ", ".join(answer.headers.getlist(name))
        response._content = content
        response.encoding = get_encoding_from_headers(response.headers)
        response.url = request.url
        response.request = request
        response.connection = self
        return response

    def close(self) -> None:
        pass
