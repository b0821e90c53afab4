#!/usr/bin/python3
"""A real SMTP server on loopback for the NurtureSMTP tests (Debian's python3-aiosmtpd 1.4).

Prints `READY <port>` once it accepts connections; stops on SIGTERM or when stdin closes (so a crashed test run
leaves no server behind). With --spool DIR, each message is written to DIR/N.eml and described by one JSON line
in DIR/log.jsonl; a closed connection adds a line with "event": "disconnect", a new one "connect", and each AUTH
attempt "auth".

For the fault tests it can also misbehave: --greeting 421 (refuse every connection), --refuse ADDRESS:CODE:TIMES
(refuse a recipient the first TIMES times only), --refuse-data ADDRESS:CODE (refuse the message after its final
dot) and --stall greeting|data|message (accept and never greet, never answer the DATA command, or take the
message and never answer).
"""

import argparse
import asyncio
import itertools
import json
import logging
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class SpoolingHandler:
    def __init__(self, refusals, spool, max_per_connection, data_delay=0.0, data_refusals=None, stall=None):
        self.data_delay = data_delay
        self.refusals = refusals
        self.data_refusals = data_refusals or {}
        self.stall = stall
        self.spool = spool
        self.max_per_connection = max_per_connection
        self.lock = threading.Lock()
        self.count = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.max_per_connection and server.messages_carried >= self.max_per_connection:
            # As providers with a per-connection cap do: refuse the next transaction and hang up.
            server.loop.call_soon(server.transport.close)
            return "421 4.7.0 Too many messages for this connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.refusals.get(address.lower())
        if refusal and refusal[1] != 0:
            reply, times = refusal
            self.refusals[address.lower()] = (reply, times - 1)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        if self.stall == "message":
            # A relay that hangs once it has the message: whether it keeps it, the client cannot know.
            await asyncio.sleep(3600)
        refusal = next((self.data_refusals[r.lower()] for r in envelope.rcpt_tos if r.lower() in self.data_refusals),
                       None)
        if refusal:
            return refusal
        if self.data_delay:
            # A slow relay: the message is taken only after the delay, so a client stopped meanwhile is mid-send.
            await asyncio.sleep(self.data_delay)
        with self.lock:
            self.count += 1
            number = self.count
            server.messages_carried += 1
            if self.spool:
                with open(os.path.join(self.spool, f"{number}.eml"), "wb") as message:
                    message.write(envelope.original_content or b"")
                self.log({
                    "event": "message",
                    "number": number,
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "ehlo": session.host_name,
                    "peer": list(session.peer[:2]) if session.peer else None,
                    "connection": server.connection_id,
                    "tls": server.transport.get_extra_info("ssl_object") is not None,
                    "authenticated": bool(session.authenticated),
                })
        return f"250 2.0.0 Ok: queued as {number}"

    def disconnected(self, connection_id):
        with self.lock:
            if self.spool:
                self.log({"event": "disconnect", "connection": connection_id})

    def event(self, name, connection_id):
        with self.lock:
            if self.spool:
                self.log({"event": name, "connection": connection_id})

    def log(self, entry):
        with open(os.path.join(self.spool, "log.jsonl"), "a") as log:
            log.write(json.dumps(entry) + "\n")


class CountingSMTP(SMTP):
    """One instance per TCP connection (STARTTLS keeps it), so its id counts connections."""

    def __init__(self, handler, connection_id, greeting=None, **kwargs):
        super().__init__(handler, **kwargs)
        self.connection_id = connection_id
        self.messages_carried = 0
        self.refusing_greeting = greeting

    def connection_made(self, transport):
        if self.connection_id:
            self.event_handler.event("connect", self.connection_id)
        if self.event_handler.stall == "greeting" and self.connection_id:
            self.silent_transport = transport  # kept open, never a word
            return
        if self.refusing_greeting and self.connection_id:
            # Busy or shutting down: refuse before any command, as RFC 5321 lets a server do.
            transport.write(f"{self.refusing_greeting} 4.3.2 Service not available, closing channel\r\n".encode())
            transport.close()
            return
        super().connection_made(transport)

    def connection_lost(self, error):
        self.event_handler.disconnected(self.connection_id)
        if (self.refusing_greeting or self.event_handler.stall == "greeting") and self.connection_id:
            return
        super().connection_lost(error)

    async def smtp_DATA(self, arg):
        if self.event_handler.stall == "data":
            await asyncio.sleep(3600)
        return await super().smtp_DATA(arg)


class SpoolingController(Controller):
    def __init__(self, handler, greeting=None, **kwargs):
        super().__init__(handler, **kwargs)
        self.connection_ids = itertools.count(0)  # 0 is the controller's own start-up probe
        self.greeting = greeting

    def factory(self):
        return CountingSMTP(self.handler, next(self.connection_ids), greeting=self.greeting, **self.SMTP_kwargs)

    def _trigger_server(self):
        # With port 0 the kernel chose the port: the start-up probe must connect to that one.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


KNOWN_REPLIES = {
    "550": "550 5.1.1 No such user", "451": "451 4.3.0 Try later", "452": "452 4.2.2 Mailbox full",
    "554": "554 5.7.1 Rejected as spam",
}


def parse_refusal(text):
    """ADDRESS:CODE, or ADDRESS:CODE:TIMES to refuse only the first TIMES attempts; -1 times is always."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1].strip().isdigit() \
            or (len(parts) == 3 and not parts[2].isdigit()):
        raise argparse.ArgumentTypeError(f"--refuse wants ADDRESS:CODE[:TIMES], not {text!r}")
    code = parts[1].strip()
    times = int(parts[2]) if len(parts) == 3 else -1
    return parts[0].lower(), (KNOWN_REPLIES.get(code, f"{code} Refused"), times)


def parse_data_refusal(text):
    address, reply = parse_refusal(text)
    return address, reply[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps://)")
    parser.add_argument("--auth", help="USER:PASSWORD; AUTH PLAIN/LOGIN is then required, over TLS only")
    parser.add_argument("--refuse", action="append", default=[], type=parse_refusal, help="ADDRESS:CODE")
    parser.add_argument("--refuse-data", action="append", default=[], type=parse_data_refusal,
                        help="ADDRESS:CODE, the reply to the message's final dot")
    parser.add_argument("--greeting", help="a reply code (421) to greet every connection with, then hang up")
    parser.add_argument("--stall", choices=["greeting", "data", "message"],
                        help="never greet, never answer DATA, or take the message and never answer")
    parser.add_argument("--spool")
    parser.add_argument("--max-messages-per-connection", type=int, default=0)
    parser.add_argument("--data-delay", type=float, default=0.0, help="seconds to wait before answering DATA")
    parser.add_argument("--idle-timeout", type=float, default=300, help="seconds before an idle connection is closed")
    args = parser.parse_args()
    # aiosmtpd logs each session and warns about its own deprecated login_data on every AUTH; errors are enough.
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    smtp_options = {"timeout": args.idle_timeout, "server_hostname": "nurture-test"}
    if tls_context and not args.implicit_tls:
        smtp_options["tls_context"] = tls_context
        smtp_options["require_starttls"] = args.require_starttls
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            handler.event("auth", server.connection_id)
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
                and auth_data.password == password.encode()
            # handled=False: let aiosmtpd answer 535 itself (True would leave the client waiting).
            return AuthResult(success=ok, handled=False)

        smtp_options.update(authenticator=authenticator, auth_required=True, auth_require_tls=True)

    if args.spool:
        os.makedirs(args.spool, exist_ok=True)
    handler = SpoolingHandler(
        dict(args.refuse), args.spool, args.max_messages_per_connection, args.data_delay,
        data_refusals=dict(args.refuse_data), stall=args.stall)
    controller = SpoolingController(
        handler, greeting=args.greeting, hostname="127.0.0.1", port=args.port,
        ssl_context=tls_context if args.implicit_tls else None, **smtp_options)

    stop = threading.Event()
    # A child inherits the signal mask of the thread that spawned it; test runners' threads block SIGTERM.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def watch_stdin():
        sys.stdin.buffer.read()
        stop.set()

    controller.start()
    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"READY {controller.port}", flush=True)
    while not stop.wait(0.05):
        pass
    controller.stop()
    sys.stdout.flush()
    # Skips interpreter shutdown, which would wait on (and complain about) the thread blocked reading stdin.
    os._exit(0)


if __name__ == "__main__":
    main()
