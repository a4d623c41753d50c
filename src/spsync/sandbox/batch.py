"""Multipart `$batch` parsing and formatting as office365-REST-Python-Client needs (reference §5).

The request side is lenient (MIME preamble, LF-only, raw URLs with spaces, headers without a
space after the colon, a double blank line before the body, nested changesets). The response
side is strict: flat, in request order, CRLF, because the library can only parse that.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit

__all__ = ["BatchPart", "parse_batch", "format_batch", "boundary_of"]


@dataclass
class BatchPart:
    """One sub-request: method from the request line, absolute or relative raw URL."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-case keys
    body: bytes = b""

    @property
    def path_and_query(self) -> tuple[str, str]:
        raw = self.url
        if "://" in raw:
            split = urlsplit(raw.replace(" ", "%20"))
            path = split.path.replace("%20", " ")
            query = split.query.replace("%20", " ")
            return path, query
        path, _, query = raw.partition("?")
        return path, query


def boundary_of(content_type: str) -> str | None:
    m = re.search(r'boundary="?([^";\s]+)"?', content_type or "", re.IGNORECASE)
    return m.group(1) if m else None


def _split_lines_block(data: bytes) -> tuple[list[str], bytes]:
    """Header lines up to the first blank line (LF or CRLF) and the rest."""
    m = re.search(rb"\r?\n\r?\n", data)
    if not m:
        head, rest = data, b""
    else:
        head, rest = data[:m.start()], data[m.end():]
    lines: list[str] = []
    for line in head.decode("utf-8", "replace").splitlines():
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += " " + line.strip()  # folded header
        elif line.strip():
            lines.append(line)
    return lines, rest


def _headers(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip().lower()] = v.strip()
    return out


def _parts(body: bytes, boundary: str) -> list[bytes]:
    delim = re.compile(rb"(?:^|\r?\n)--" + re.escape(boundary.encode()) + rb"(--)?[ \t]*(?:\r?\n|$)")
    out: list[bytes] = []
    pos = None
    for m in delim.finditer(body):
        if pos is not None:
            out.append(body[pos:m.start()])
        if m.group(1):  # closing delimiter
            pos = None
            break
        pos = m.end()
    if pos is not None:
        out.append(body[pos:])
    return out


def parse_batch(body: bytes, content_type: str) -> list[BatchPart]:
    """All sub-requests in body order, changesets flattened."""
    boundary = boundary_of(content_type)
    if not boundary:
        raise ValueError("no boundary in Content-Type")
    result: list[BatchPart] = []
    for raw in _parts(body, boundary):
        head, rest = _split_lines_block(raw.lstrip(b"\r\n"))
        hdr = _headers(head)
        ctype = hdr.get("content-type", "")
        if ctype.lower().startswith("multipart/mixed"):
            inner = boundary_of(ctype)
            if inner:
                result.extend(parse_batch(rest, f"multipart/mixed; boundary={inner}"))
            continue
        result.append(_parse_http(rest))
    return result


def _parse_http(data: bytes) -> BatchPart:
    data = data.lstrip(b"\r\n")
    first_end = data.find(b"\n")
    line = (data if first_end < 0 else data[:first_end]).decode("utf-8", "replace").strip()
    rest = b"" if first_end < 0 else data[first_end + 1:]
    method, _, target = line.partition(" ")
    if re.search(r" HTTP/\d\.\d$", target):
        target = target.rsplit(" ", 1)[0]
    if rest[:1] == b"\n" or rest[:2] == b"\r\n":  # no headers at all
        lines, body = [], rest.lstrip(b"\r\n")
    else:
        lines, body = _split_lines_block(rest)
    body = body.strip(b"\r\n")  # the double blank line before, the CRLF before the delimiter after
    return BatchPart(method.upper(), target.strip(), _headers(lines), body)


def format_batch(responses: list[tuple[int, dict[str, str], bytes]]) -> tuple[str, bytes]:
    """Flat multipart/mixed response; returns (Content-Type, body)."""
    boundary = f"batchresponse_{uuid.uuid4()}"
    chunks: list[bytes] = []
    for status, headers, body in responses:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        head = [f"--{boundary}", "Content-Type: application/http",
                "Content-Transfer-Encoding: binary", "", f"HTTP/1.1 {status} {reason}"]
        head += [f"{k.upper()}: {v}" for k, v in headers.items()]
        chunks.append(("\r\n".join(head) + "\r\n\r\n").encode() + body + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/mixed; boundary={boundary}", b"".join(chunks)
