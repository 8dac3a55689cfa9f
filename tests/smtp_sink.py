"""A tiny SMTP server on loopback that keeps what it receives (smtpd is deprecated, aiosmtpd not installed);
the one SMTP sink of the suite (the digest, safety alert and invitation e-mail tests).

Enough of RFC 5321 for smtplib: EHLO/HELO, optional STARTTLS (RFC 3207), AUTH PLAIN, MAIL, RCPT,
DATA with dot-unstuffing, RSET, NOOP, QUIT. Also a self-signed certificate for 127.0.0.1.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    tls: bool
    login: tuple[str, str] | None


@dataclass
class Sink:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    tls: ssl.SSLContext | None = None
    #: Recipients answered "550" at RCPT (an address the server refuses for good).
    refuse: set[str] = field(default_factory=set)
    #: Close the connection after the message's content, before answering it (did it arrive?).
    hang_up_after_data: bool = False


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10

    def handle(self) -> None:
        sink: Sink = self.server.sink  # type: ignore[attr-defined]
        tls, login, sender, recipients = False, None, "", []
        self._say("220 sink ESMTP")
        while line := self.rfile.readline():
            command, _, argument = line.decode().rstrip("\r\n").partition(" ")
            verb = command.upper()
            if verb == "EHLO":
                extensions = ["AUTH PLAIN", "8BITMIME"] + (["STARTTLS"] if sink.tls and not tls else [])
                self._say("\r\n".join(["250-sink", *(f"250-{e}" for e in extensions[:-1]), f"250 {extensions[-1]}"]))
            elif verb == "HELO":
                self._say("250 sink")
            elif verb == "STARTTLS" and sink.tls and not tls:
                self._say("220 go ahead")
                self.connection = sink.tls.wrap_socket(self.connection, server_side=True)
                self.rfile, self.wfile = self.connection.makefile("rb"), self.connection.makefile("wb")
                tls = True
            elif verb == "AUTH" and argument.upper().startswith("PLAIN "):
                _, user, password = base64.b64decode(argument.split()[1]).decode().split("\0")
                login = (user, password)
                self._say("235 ok")
            elif verb == "MAIL":
                sender, recipients = argument.partition(":")[2].split()[0].strip("<>"), []
                self._say("250 ok")
            elif verb == "RCPT":
                recipient = argument.partition(":")[2].split()[0].strip("<>")
                if recipient in sink.refuse:
                    self._say("550 no such user")
                    continue
                recipients.append(recipient)
                self._say("250 ok")
            elif verb == "DATA":
                self._say("354 end with .")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = message_from_bytes(b"".join(lines), policy=policy.default)
                sink.received.append(Received(sender, recipients, message, tls, login))  # type: ignore[arg-type]
                if sink.hang_up_after_data:
                    return
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            elif verb in ("RSET", "NOOP"):
                self._say("250 ok")
            else:
                self._say("502 not implemented")

    def _say(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class serve:  # noqa: N801  (used as `with serve() as sink:`)
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.sink = Sink("127.0.0.1", self.server.server_address[1], tls=tls)  # type: ignore[attr-defined]

    def __enter__(self) -> Sink:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.sink  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) files for 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "sink.crt", folder / "sink.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file
